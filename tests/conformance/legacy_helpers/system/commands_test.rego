# OPA unit tests live beside helpers; cupcake must not compile them.
package cupcake.system.commands_test

import rego.v1

import data.cupcake.system.commands

test_flag if commands.has_flag("git commit --no-verify", "--no-verify")
