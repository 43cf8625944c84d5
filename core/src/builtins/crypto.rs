//! `crypto.sha256`: the lower-case hex SHA-256 digest of a string's UTF-8 bytes.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("crypto.sha256", sha256);
}

fn sha256(args: &[Value]) -> Result<Value, String> {
    let text = args::string(args, 0)?;
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    Ok(Value::String(hex))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn digests_like_opa() {
        assert_eq!(
            sha256(&[json!("")]),
            Ok(json!(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ))
        );
        assert!(sha256(&[json!(1)]).is_err());
    }
}
