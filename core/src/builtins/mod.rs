//! Host implementations of the OPA builtins that compiled WebAssembly leaves to its host. The
//! table maps each exact OPA name to one function; a module that needs a name not listed is
//! refused at load time.

mod args;
mod gofmt;
mod re2;
mod regex;
mod strings;
mod time;

use std::collections::HashMap;

use serde_json::Value;

/// A host builtin: JSON operands in, JSON result out, or a message saying what was wrong.
pub type BuiltinFn = fn(&[Value]) -> Result<Value, String>;

/// Every host builtin cupcake implements, by OPA name.
pub struct BuiltinTable {
    functions: HashMap<&'static str, BuiltinFn>,
}

impl BuiltinTable {
    /// The table with every category registered.
    pub fn standard() -> Self {
        let mut table = Self {
            functions: HashMap::new(),
        };
        regex::register(&mut table);
        strings::register(&mut table);
        time::register(&mut table);
        table
    }

    pub(crate) fn add(&mut self, name: &'static str, function: BuiltinFn) {
        self.functions.insert(name, function);
    }

    /// Looks a builtin up by its OPA name.
    pub fn get(&self, name: &str) -> Option<BuiltinFn> {
        self.functions.get(name).copied()
    }

    /// Every registered name, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.functions.keys().copied().collect();
        names.sort_unstable();
        names
    }
}

pub(crate) use self::regex::check_pattern;
pub(crate) use args::type_name;
pub(crate) use time::start_evaluation;
