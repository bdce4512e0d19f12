//! A compact map from token texts to dense ids, for the per-word cache of feature counting.

use std::hash::Hasher;

/// Maps byte strings to ids 0, 1, 2... in insertion order.
///
/// Open addressing with linear probing over one `u64` per slot (a 32-bit fingerprint of
/// the key's hash beside the id), kept at most half full, and the keys back to back in
/// one buffer. Compared with a general hash map of boxed strings, a lookup reads one slot
/// and, when the fingerprint matches, one key; and since the words a text uses most are
/// met first, they get the smallest ids and their keys sit together in memory.
#[derive(Debug, Default, Clone)]
pub(crate) struct WordTable {
    /// `0` when empty, else `fingerprint << 32 | (id + 1)`. The length is 0 or a power
    /// of two.
    slots: Vec<u64>,
    keys: Vec<u8>,
    /// `ends[id]` is where key `id` ends in `keys`; it starts where key `id - 1` ends.
    ends: Vec<usize>,
}

/// Most keys a table holds (ids must fit the low half of a slot, `id + 1` included).
const MAX_KEYS: usize = u32::MAX as usize - 1;

impl WordTable {
    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Bytes of keys held.
    #[cfg(test)]
    pub(crate) fn key_bytes(&self) -> usize {
        self.keys.len()
    }

    /// Number of slots (test helper: what clearing costs).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Removes every key, keeping the allocations.
    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = 0);
        self.keys.clear();
        self.ends.clear();
    }

    /// Keeps only the keys of ids below `n` (the first `n` added).
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        let end = match n.checked_sub(1) {
            Some(last) => self.ends.get(last).copied().unwrap_or(0),
            None => 0,
        };
        self.keys.truncate(end);
        self.ends.truncate(n);
        self.slots.iter_mut().for_each(|s| *s = 0);
        self.reinsert();
    }

    /// The id of `key`, if it is in the table.
    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<u32> {
        self.find(key, hash(key)).ok()
    }

    /// The id of `key` and whether it was just added (with the next id). `None` only when
    /// the table holds [`MAX_KEYS`] keys already.
    pub(crate) fn get_or_insert(&mut self, key: &[u8]) -> Option<(u32, bool)> {
        let h = hash(key);
        if let Ok(id) = self.find(key, h) {
            return Some((id, false));
        }
        let id = self.len();
        if id >= MAX_KEYS {
            return None;
        }
        if (id + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let slot = self.find(key, h).err()?;
        let id = u32::try_from(id).ok()?;
        self.keys.extend_from_slice(key);
        self.ends.push(self.keys.len());
        *self.slots.get_mut(slot)? = slot_value(h, id);
        Some((id, true))
    }

    /// The key of `id`.
    #[inline]
    fn key(&self, id: u32) -> &[u8] {
        let id = id as usize;
        let start = match id.checked_sub(1) {
            Some(prev) => self.ends.get(prev).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.ends.get(id).copied().unwrap_or(start);
        self.keys.get(start..end).unwrap_or(&[])
    }

    /// `Ok(id)` of `key` (whose hash is `h`), or `Err(slot)`: the empty slot where it
    /// would go. A table without slots answers `Err(0)`.
    #[inline]
    fn find(&self, key: &[u8], h: u64) -> Result<u32, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let fingerprint = h >> 32;
        let mut i = h as usize & mask;
        // At most half the slots are used, so the probe meets an empty one.
        while let Some(&s) = self.slots.get(i) {
            if s == 0 {
                return Err(i);
            }
            if s >> 32 == fingerprint {
                let id = (s as u32).wrapping_sub(1);
                if self.key(id) == key {
                    return Ok(id);
                }
            }
            i = (i + 1) & mask;
        }
        Err(0)
    }

    /// Doubles the slots (at least 16) and puts every key back.
    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(16);
        self.slots = vec![0; capacity];
        self.reinsert();
    }

    /// Puts every key into the (empty) slots.
    fn reinsert(&mut self) {
        for id in 0..self.len() {
            let Ok(id) = u32::try_from(id) else { break };
            let h = hash(self.key(id));
            if let Err(slot) = self.find(self.key(id), h)
                && let Some(s) = self.slots.get_mut(slot)
            {
                *s = slot_value(h, id);
            }
        }
    }
}

/// The slot of key `id` with hash `h`.
#[inline]
fn slot_value(h: u64, id: u32) -> u64 {
    (h >> 32) << 32 | (u64::from(id) + 1)
}

/// A well-mixed 64-bit hash of a key: FxHash, then the murmur3 finalizer so that both
/// the low bits (the slot) and the high bits (the fingerprint) depend on every byte.
#[inline]
fn hash(key: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(key);
    let mut k = h.finish() ^ key.len() as u64;
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn ids_follow_insertion_order() {
        let mut t = WordTable::default();
        assert_eq!(t.get(b"the"), None);
        assert_eq!(t.get_or_insert(b"the"), Some((0, true)));
        assert_eq!(t.get_or_insert(b"cat"), Some((1, true)));
        assert_eq!(t.get_or_insert(b"the"), Some((0, false)));
        assert_eq!(t.get_or_insert(b""), Some((2, true)));
        assert_eq!(t.get(b"cat"), Some(1));
        assert_eq!(t.get(b""), Some(2));
        assert_eq!((t.len(), t.key_bytes()), (3, 6));
        t.clear();
        assert_eq!((t.get(b"the"), t.len()), (None, 0));
        assert_eq!(t.get_or_insert(b"cat"), Some((0, true)));
    }

    proptest! {
        /// The table agrees with a `HashMap` on any sequence of inserts and lookups,
        /// across growth and clearing.
        #[test]
        fn agrees_with_a_hash_map(
            ops in proptest::collection::vec(
                (0u8..10, proptest::collection::vec(any::<u8>(), 0..12)),
                0..600,
            )
        ) {
            let mut table = WordTable::default();
            let mut reference: HashMap<Vec<u8>, u32> = HashMap::new();
            for (op, key) in ops {
                // Short keys over a small alphabet so that many repeat.
                let key: Vec<u8> = key.iter().map(|b| b % 4).take(usize::from(op % 5)).collect();
                match op {
                    0 if key.len().is_multiple_of(2) => {
                        table.clear();
                        reference.clear();
                    }
                    0 => {
                        // Keep the first half of the ids.
                        let keep = reference.len() / 2;
                        table.truncate(keep);
                        reference.retain(|_, id| (*id as usize) < keep);
                    }
                    1..=4 => prop_assert_eq!(table.get(&key), reference.get(&key).copied()),
                    _ => {
                        let next = u32::try_from(reference.len()).unwrap_or(u32::MAX);
                        let expected = match reference.get(&key) {
                            Some(&id) => (id, false),
                            None => {
                                reference.insert(key.clone(), next);
                                (next, true)
                            }
                        };
                        prop_assert_eq!(table.get_or_insert(&key), Some(expected));
                    }
                }
                prop_assert_eq!(table.len(), reference.len());
            }
            for (key, &id) in &reference {
                prop_assert_eq!(table.get(key), Some(id));
            }
        }

        /// Random 64-bit-ish keys (few repeats) land where a `HashMap` puts them.
        #[test]
        fn agrees_with_a_hash_map_on_random_keys(
            keys in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 0..2000)
        ) {
            let mut table = WordTable::default();
            let mut reference: HashMap<Vec<u8>, u32> = HashMap::new();
            for key in &keys {
                let next = u32::try_from(reference.len()).unwrap_or(u32::MAX);
                let id = *reference.entry(key.clone()).or_insert(next);
                prop_assert_eq!(table.get_or_insert(key).map(|(id, _)| id), Some(id));
            }
            for (key, &id) in &reference {
                prop_assert_eq!(table.get(key), Some(id));
                let mut other = key.clone();
                other.push(0xFF);
                prop_assert_eq!(table.get(&other), reference.get(&other).copied());
            }
        }
    }
}
