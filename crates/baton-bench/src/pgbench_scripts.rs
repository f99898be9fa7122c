//! Checks, without a database, that the pgbench limit of a refresh runs the store's own
//! rotation statement: `bench/pgbench/rotate.sql` and the rotation of
//! `bench/pgbench/find-rotate.sql` against `baton_store::statements::ROTATE_POSTGRES`,
//! parameters aside (`:name` in pgbench, `$n` in the store). `just bench` checks the same
//! against PostgreSQL's statement log in every run; this catches a drift at `cargo test`.

#[cfg(test)]
mod tests {
    use baton_store::statements::ROTATE_POSTGRES;

    /// Parameters become `?`, whitespace runs one space, a trailing `;` goes.
    fn normalise(sql: &str) -> String {
        let mut out = String::new();
        let mut chars = sql.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            let parameter = match c {
                '$' => chars.peek().is_some_and(|n| n.is_ascii_digit()),
                ':' => {
                    previous != ':'
                        && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '_')
                }
                _ => false,
            };
            if parameter {
                while chars.peek().is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
            previous = c;
        }
        let words: Vec<&str> = out.split_whitespace().collect();
        words.join(" ").trim_end_matches(';').trim_end().to_owned()
    }

    /// The `UPDATE` statements of a pgbench script (each up to its `\gset` or `;`).
    fn updates(script: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut current: Option<String> = None;
        for line in script.lines() {
            let line = line.trim_end();
            if line.starts_with("UPDATE ") {
                current = Some(String::new());
            }
            if let Some(sql) = current.as_mut() {
                let (text, end) = match line.find(" \\gset") {
                    Some(i) => (&line[..i], true),
                    None => (line, line.ends_with(';')),
                };
                sql.push_str(text);
                sql.push('\n');
                if end {
                    found.push(normalise(sql));
                    current = None;
                }
            }
        }
        found
    }

    fn script(name: &str) -> String {
        let path = format!("{}/../../bench/pgbench/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_pgbench_limits_run_the_stores_rotation_statement() {
        let store = normalise(ROTATE_POSTGRES);
        for name in ["rotate.sql", "find-rotate.sql"] {
            let found = updates(&script(name));
            assert_eq!(found.len(), 2, "{name}: one rotation per hash parity");
            for sql in found {
                assert_eq!(sql, store, "{name} differs from rotate.rs POSTGRES");
            }
        }
    }

    #[test]
    fn parameters_are_compared_by_position_only() {
        assert_eq!(normalise("a = $1 AND b::uuid = :sid;"), "a = ? AND b::uuid = ?");
        assert_eq!(normalise("x\n   =  :now_ts"), "x = ?");
    }
}
