//! Host implementations of the OPA builtins that compiled WebAssembly leaves to its host. The
//! table maps each exact OPA name to one function; a module that needs a name not listed is
//! refused at load time.

mod args;
mod calendar;
mod crypto;
mod gofmt;
mod re2;
mod regex;
mod semver;
mod strings;
mod substrings;
mod term;
mod time;
mod units;

use std::collections::HashMap;

use serde_json::Value;

/// A host builtin: operands in, JSON result out, or a message saying what was wrong. Most
/// builtins read JSON; those that print or compare whole Rego values (sets, non-string keys,
/// exact number text) read [`Term`]s.
#[derive(Clone, Copy)]
pub enum BuiltinFn {
    /// Reads operands as JSON (sets as arrays).
    Json(fn(&[Value]) -> Result<Value, String>),
    /// Reads operands as Rego values.
    Terms(fn(&[Term]) -> Result<Value, String>),
}

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
        calendar::register(&mut table);
        crypto::register(&mut table);
        regex::register(&mut table);
        semver::register(&mut table);
        strings::register(&mut table);
        substrings::register(&mut table);
        time::register(&mut table);
        units::register(&mut table);
        table
    }

    pub(crate) fn add(
        &mut self,
        name: &'static str,
        function: fn(&[Value]) -> Result<Value, String>,
    ) {
        self.functions.insert(name, BuiltinFn::Json(function));
    }

    pub(crate) fn add_terms(
        &mut self,
        name: &'static str,
        function: fn(&[Term]) -> Result<Value, String>,
    ) {
        self.functions.insert(name, BuiltinFn::Terms(function));
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
pub use term::Term;
pub(crate) use time::start_evaluation;
