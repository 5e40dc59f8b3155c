//! A mini SOQL parser: `SELECT f, … FROM T [WHERE c = lit [AND …]] [ORDER BY f [ASC|DESC]] [LIMIT n]`.

/// A literal on the right of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Bool(bool),
    Null,
    Num(String),
}

/// `field = lit` or `field != lit`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cond {
    pub field: String,
    pub negate: bool,
    pub value: Lit,
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    pub fields: Vec<String>,
    pub object: String,
    pub conditions: Vec<Cond>,
    pub order_by: Option<(String, bool)>,
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Comma,
    Eq,
    Ne,
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            ',' => {
                chars.next();
                toks.push(Tok::Comma);
            }
            '=' => {
                chars.next();
                toks.push(Tok::Eq);
            }
            '!' | '<' => {
                chars.next();
                let next = chars.next();
                match (c, next) {
                    ('!', Some('=')) | ('<', Some('>')) => toks.push(Tok::Ne),
                    _ => return Err(format!("unexpected token '{c}'")),
                }
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some('b') => s.push('\u{8}'),
                            Some('f') => s.push('\u{c}'),
                            Some(e @ ('\'' | '"' | '\\' | '_' | '%')) => {
                                if matches!(e, '_' | '%') {
                                    s.push('\\');
                                }
                                s.push(e);
                            }
                            _ => return Err("invalid escape sequence".into()),
                        },
                        Some(ch) => s.push(ch),
                    }
                }
                toks.push(Tok::Str(s));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_alphanumeric() || ch == '_' || ch == '.' || ch == '-' {
                        w.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                toks.push(Tok::Word(w));
            }
            other => return Err(format!("unexpected token '{other}'")),
        }
    }
    Ok(toks)
}

fn is_kw(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
}

const RESERVED: &[&str] = &[
    "select", "from", "where", "and", "or", "order", "by", "limit",
];

fn ident(t: Option<Tok>, what: &str) -> Result<String, String> {
    match t {
        Some(Tok::Word(w)) if !RESERVED.iter().any(|r| w.eq_ignore_ascii_case(r)) => Ok(w),
        _ => Err(format!("expecting {what}")),
    }
}

/// Parses a query; the error text goes into a MALFORMED_QUERY message.
pub(crate) fn parse(q: &str) -> Result<Query, String> {
    let mut toks = tokenize(q)?.into_iter().peekable();
    if !is_kw(toks.next().as_ref(), "select") {
        return Err("unexpected token: expecting SELECT".into());
    }
    let mut fields = vec![ident(toks.next(), "a field name")?];
    while toks.peek() == Some(&Tok::Comma) {
        toks.next();
        fields.push(ident(toks.next(), "a field name")?);
    }
    if !is_kw(toks.next().as_ref(), "from") {
        return Err("unexpected token: expecting FROM".into());
    }
    let object = ident(toks.next(), "an object name")?;
    let mut conditions = Vec::new();
    if is_kw(toks.peek(), "where") {
        toks.next();
        loop {
            let field = ident(toks.next(), "a field name")?;
            let negate = match toks.next() {
                Some(Tok::Eq) => false,
                Some(Tok::Ne) => true,
                _ => return Err("unexpected token: expecting '=' or '!='".into()),
            };
            let value = match toks.next() {
                Some(Tok::Str(s)) => Lit::Str(s),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Lit::Null,
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Lit::Bool(true),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Lit::Bool(false),
                Some(Tok::Word(w))
                    if w.chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-') =>
                {
                    Lit::Num(w)
                }
                _ => return Err("unexpected token: expecting a literal".into()),
            };
            conditions.push(Cond {
                field,
                negate,
                value,
            });
            if is_kw(toks.peek(), "and") {
                toks.next();
            } else {
                break;
            }
        }
    }
    let mut order_by = None;
    if is_kw(toks.peek(), "order") {
        toks.next();
        if !is_kw(toks.next().as_ref(), "by") {
            return Err("unexpected token: expecting BY".into());
        }
        let field = ident(toks.next(), "a field name")?;
        let mut desc = false;
        if is_kw(toks.peek(), "asc") {
            toks.next();
        } else if is_kw(toks.peek(), "desc") {
            toks.next();
            desc = true;
        }
        order_by = Some((field, desc));
    }
    let mut limit = None;
    if is_kw(toks.peek(), "limit") {
        toks.next();
        match toks.next() {
            Some(Tok::Word(w)) => limit = Some(w.parse().map_err(|_| "bad LIMIT".to_string())?),
            _ => return Err("unexpected token: expecting a number".into()),
        }
    }
    if let Some(t) = toks.next() {
        return Err(format!("unexpected token: {t:?}"));
    }
    Ok(Query {
        fields,
        object,
        conditions,
        order_by,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_where_and() {
        let q = parse(
            "select Id, s_c__Setting__c FROM s_c__Setting__mdt where MasterLabel = 'It\\'s' AND NamespacePrefix = null LIMIT 2",
        )
        .expect("parses");
        assert_eq!(q.fields, vec!["Id", "s_c__Setting__c"]);
        assert_eq!(q.object, "s_c__Setting__mdt");
        assert_eq!(q.conditions.len(), 2);
        assert_eq!(q.conditions[0].value, Lit::Str("It's".into()));
        assert_eq!(q.conditions[1].value, Lit::Null);
        assert_eq!(q.limit, Some(2));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("SELECT FROM x").is_err());
        assert!(parse("SELECT Id FROM x WHERE").is_err());
        assert!(parse("SELECT Id FROM x WHERE a = 'b").is_err());
        assert!(parse("SELECT Id FROM x WHERE a = 'b' OR c = 'd'").is_err());
        assert!(parse("SELECT COUNT() FROM x").is_err());
        assert!(parse("DELETE x").is_err());
    }
}
