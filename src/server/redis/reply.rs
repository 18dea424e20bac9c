//! Strict reading of the array replies of Lua scripts.
//!
//! A script answers `{ status, field, field, … }`. Each script's wrapper decodes that into its
//! own type by implementing `redis::FromRedisValue` with [`Fields`]: a missing field, a field
//! of the wrong type or a status the wrapper does not know is a parsing error (which
//! `redis_error` turns into a 500 and a log line naming the script), never a default that
//! would quietly turn "the reply changed shape" into "the price is 0".

use redis::{FromRedisValue, ParsingError, Value};

/// The fields of one script reply, read by position.
pub struct Fields {
    script: &'static str,
    values: Vec<Value>,
}

impl Fields {
    /// The reply of `script`, which must be an array.
    pub fn new(script: &'static str, reply: Value) -> Result<Self, ParsingError> {
        match reply {
            Value::Array(values) => Ok(Self { script, values }),
            other => Err(format!("{script}: expected an array reply, got {other:?}").into()),
        }
    }

    /// How many fields the reply has.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the reply has no field at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Field `i` as a `T`; an error when it is missing or of another type.
    pub fn get<T: FromRedisValue>(&self, i: usize) -> Result<T, ParsingError> {
        let value = self.values.get(i).ok_or_else(|| {
            ParsingError::from(format!(
                "{}: field {i} missing from a reply of {} fields",
                self.script,
                self.values.len()
            ))
        })?;
        T::from_redis_value_ref(value)
            .map_err(|e| format!("{}: field {i}: {e}", self.script).into())
    }

    /// Field `i`, a Lua boolean written as `1` or `0`; anything else is an error.
    pub fn flag(&self, i: usize) -> Result<bool, ParsingError> {
        match self.get::<i64>(i)? {
            0 => Ok(false),
            1 => Ok(true),
            other => {
                Err(format!("{}: field {i}: expected 0 or 1, got {other}", self.script).into())
            }
        }
    }

    /// The first field: the reply's status word.
    pub fn status(&self) -> Result<String, ParsingError> {
        self.get(0)
    }

    /// The error for a status word the wrapper does not know.
    pub fn unknown_status(&self, status: &str) -> ParsingError {
        format!("{}: unknown status {status:?}", self.script).into()
    }

    /// Checks that the reply has exactly `n` fields (a script that grew or shrank its reply
    /// without its wrapper is caught here, not read off by one).
    pub fn expect_len(&self, n: usize) -> Result<&Self, ParsingError> {
        if self.values.len() == n {
            Ok(self)
        } else {
            Err(format!(
                "{}: expected {n} fields, got {}",
                self.script,
                self.values.len()
            )
            .into())
        }
    }
}

/// A script's yes-or-no answer, `1` or `0` (a lock extended, a fenced write done…); any
/// other reply is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yes(pub bool);

impl FromRedisValue for Yes {
    fn from_redis_value(v: Value) -> Result<Self, ParsingError> {
        match i64::from_redis_value(v)? {
            0 => Ok(Yes(false)),
            1 => Ok(Yes(true)),
            other => Err(format!("expected a 1 or 0 reply, got {other}").into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(values: Vec<Value>) -> Fields {
        Fields::new("test", Value::Array(values)).unwrap()
    }

    #[test]
    fn fields_are_read_strictly() {
        let f = reply(vec![
            Value::BulkString(b"ok".to_vec()),
            Value::Int(7),
            Value::Int(1),
            Value::Int(2),
        ]);
        assert_eq!(f.status().unwrap(), "ok");
        assert_eq!(f.get::<i64>(1).unwrap(), 7);
        assert!(f.flag(2).unwrap());
        // 2 is not a flag, a missing field is not 0, a word is not a number.
        assert!(f.flag(3).unwrap_err().to_string().contains("0 or 1"));
        assert!(f.get::<i64>(4).unwrap_err().to_string().contains("missing"));
        assert!(f.get::<i64>(0).is_err());
        assert!(f.expect_len(4).is_ok());
        assert!(f.expect_len(3).is_err());
        let yes = |v: Value| Yes::from_redis_value(v).map(|y| y.0);
        assert!(yes(Value::Int(1)).unwrap());
        assert!(!yes(Value::Int(0)).unwrap());
        assert!(yes(Value::Int(2)).is_err());
        assert!(yes(Value::Nil).is_err());
        assert!(f.unknown_status("odd").to_string().contains("odd"));
    }

    #[test]
    fn a_reply_that_is_not_an_array_is_refused() {
        assert!(Fields::new("test", Value::Int(1)).is_err());
        assert!(Fields::new("test", Value::Nil).is_err());
    }
}
