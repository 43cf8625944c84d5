# A helper library in the layout the earlier engine's `init` writes: policies import it.
package cupcake.system.commands

import rego.v1

# The command's words, however it is spaced.
words(command) := [w | some w in split(trim_space(command), " "); w != ""]

# Whether `flag` is one of the command's words.
has_flag(command, flag) if flag in words(command)
