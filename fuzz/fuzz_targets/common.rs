// Shared by the fuzz targets; each uses only part of it.
#![allow(dead_code)]
use hybridnet::framework::Type;

pub fn rich_type() -> Type {
    let inner = Type::Object(
        [("a".to_string(), Type::String), ("b".to_string(), Type::list(Type::Number))].into_iter().collect(),
    );
    Type::Object(
        [
            ("s".to_string(), Type::String),
            ("n".to_string(), Type::Number),
            ("b".to_string(), Type::Bool),
            ("l".to_string(), Type::list(Type::String)),
            ("set".to_string(), Type::set(inner.clone())),
            ("m".to_string(), Type::map(Type::Number)),
            ("o".to_string(), inner),
        ]
        .into_iter()
        .collect(),
    )
}

/// Splits fuzz input into `n` byte strings at 0xff separators.
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data.split(|b| *b == 0xff).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    out.resize(n, String::new());
    out
}
