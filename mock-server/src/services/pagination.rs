//! Paging through sorted listings the way AWS does: a page of at most `limit` items and an opaque
//! token for the rest, valid even when items come and go between calls.

use crate::ids::{page_token, parse_page_token};

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Why a token was refused; each service maps it to its own exception.
#[derive(Debug, Clone, PartialEq)]
pub struct BadToken;

/// The direction a listing is sorted in, by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// Pages over `items`, which must be sorted by key, ascending. The token names the last key of
/// the previous page, so the next page starts after it.
pub fn paginate<'a, T: Clone + 'a>(
    items: impl IntoIterator<Item = (&'a str, &'a T)>,
    token: Option<&str>,
    limit: usize,
) -> Result<Page<T>, BadToken> {
    paginate_ordered(items, token, limit, Order::Ascending)
}

/// [`paginate`] for items sorted by key in either direction.
pub fn paginate_ordered<'a, T: Clone + 'a>(
    items: impl IntoIterator<Item = (&'a str, &'a T)>,
    token: Option<&str>,
    limit: usize,
    order: Order,
) -> Result<Page<T>, BadToken> {
    let after = match token {
        Some(t) => Some(parse_page_token(t).ok_or(BadToken)?),
        None => None,
    };
    let mut out = Vec::new();
    let mut last_key = None;
    let mut more = false;
    for (key, item) in items {
        let seen = |a: &str| match order {
            Order::Ascending => key <= a,
            Order::Descending => key >= a,
        };
        if after.as_deref().is_some_and(seen) {
            continue;
        }
        if out.len() == limit.max(1) {
            more = true;
            break;
        }
        out.push(item.clone());
        last_key = Some(key);
    }
    Ok(Page {
        items: out,
        next_token: if more { last_key.map(page_token) } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_everything_once() {
        let data: Vec<(String, u32)> = (0..7).map(|i| (format!("k{i}"), i)).collect();
        let iter = || data.iter().map(|(k, v)| (k.as_str(), v));
        let mut token = None;
        let mut seen = vec![];
        loop {
            let page = paginate(iter(), token.as_deref(), 3).expect("valid token");
            seen.extend(page.items);
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn descending_listings_page_too() {
        let data = [("c", 3), ("b", 2), ("a", 1)];
        let iter = || data.iter().map(|(k, v)| (*k, v));
        let first = paginate_ordered(iter(), None, 2, Order::Descending).expect("ok");
        assert_eq!(first.items, vec![3, 2]);
        let rest = paginate_ordered(iter(), first.next_token.as_deref(), 2, Order::Descending)
            .expect("ok");
        assert_eq!((rest.items, rest.next_token), (vec![1], None));
    }

    #[test]
    fn a_full_last_page_has_no_token() {
        let data = [("a", 1), ("b", 2)];
        let page = paginate(data.iter().map(|(k, v)| (*k, v)), None, 2).expect("ok");
        assert_eq!(page.next_token, None);
        assert_eq!(
            paginate(data.iter().map(|(k, v)| (*k, v)), Some("garbage"), 2),
            Err(BadToken)
        );
    }
}
