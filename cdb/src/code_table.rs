//! Lookups in tables of `(value, code)` pairs, for enums whose codes a standard assigns
//! sparsely (e.g. the MODE field of READ BUFFER and WRITE BUFFER, SPC-5 6.16, 6.49).

/// The code of `value` in `table` (every value of the enum is in its table).
pub(crate) fn code_of<T: PartialEq + Copy>(table: &[(T, u8)], value: T) -> u8 {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(0, |&(_, code)| code)
}

/// The value whose code is `code`, if the table assigns it.
pub(crate) fn value_of<T: Copy>(table: &[(T, u8)], code: u8) -> Option<T> {
    table
        .iter()
        .find(|&&(_, c)| c == code)
        .map(|&(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::{code_of, value_of};

    #[test]
    fn codes_and_values_map_both_ways() {
        let table = [('a', 0x02), ('b', 0x1c)];
        assert_eq!(code_of(&table, 'b'), 0x1c);
        assert_eq!(value_of(&table, 0x02), Some('a'));
        assert_eq!(value_of(&table, 0x03), None);
    }
}
