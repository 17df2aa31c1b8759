//! A memo of the reserve indexes at a timestamp, for the view functions.
//!
//! `getNormalizedIncome` and `getNormalizedVariableDebt` compound the stored index over the
//! time since the last update; an agent-based simulation asks for them thousands of times per
//! block (every balance, every health factor) with the same inputs. The memo keys each result
//! on every input of the computation (timestamp, last update, stored index, stored rate), so
//! a hit returns exactly what the computation would: it never changes a result, only how
//! often it is computed.

use std::cell::RefCell;

use crate::U256;

/// Inputs and result of one index computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    now: u64,
    last_update: u64,
    index: U256,
    rate: U256,
    result: U256,
}

/// Last income and debt index computed per reserve.
#[derive(Debug, Clone, Default)]
pub(crate) struct IndexMemo {
    slots: RefCell<Vec<[Option<Entry>; 2]>>,
}

/// Which index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IndexKind {
    /// Liquidity index (`getNormalizedIncome`).
    Income = 0,
    /// Variable borrow index (`getNormalizedVariableDebt`).
    Debt = 1,
}

impl IndexMemo {
    /// The memoised value for these inputs, or `compute()` (stored on success).
    pub(crate) fn get_or<E>(
        &self,
        asset: usize,
        kind: IndexKind,
        key: (u64, u64, U256, U256),
        compute: impl FnOnce() -> Result<U256, E>,
    ) -> Result<U256, E> {
        let (now, last_update, index, rate) = key;
        if let Some(Some(e)) = self.slots.borrow().get(asset).map(|s| s[kind as usize])
            && (e.now, e.last_update, e.index, e.rate) == key
        {
            return Ok(e.result);
        }
        let result = compute()?;
        let mut slots = self.slots.borrow_mut();
        if slots.len() <= asset {
            slots.resize(asset + 1, [None, None]);
        }
        slots[asset][kind as usize] = Some(Entry {
            now,
            last_update,
            index,
            rate,
            result,
        });
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recomputes_when_any_input_changes() {
        let memo = IndexMemo::default();
        let mut calls = 0;
        let key = (100, 50, U256::from(7u8), U256::from(3u8));
        let get = |k, calls: &mut i32| {
            memo.get_or::<()>(2, IndexKind::Income, k, || {
                *calls += 1;
                Ok(U256::from(*calls as u64))
            })
            .unwrap()
        };
        assert_eq!(get(key, &mut calls), U256::from(1u8));
        assert_eq!(
            get(key, &mut calls),
            U256::from(1u8),
            "same inputs: memo hit"
        );
        let changed = [
            (101, 50, key.2, key.3),
            (100, 51, key.2, key.3),
            (100, 50, U256::from(8u8), key.3),
            (100, 50, key.2, U256::from(4u8)),
        ];
        for (n, k) in changed.into_iter().enumerate() {
            assert_eq!(get(k, &mut calls), U256::from(n as u64 + 2));
        }
    }
}
