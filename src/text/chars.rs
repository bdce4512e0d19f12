//! Character classes used by the tokenizer: word characters, mask symbols, leetspeak digits,
//! invisible characters and homoglyphs.

/// Maps a full-width ASCII variant (U+FF01..=U+FF5E) to its ASCII character, so that the
/// scanner classifies `ｆ＊ｃｋ` like `f*ck` before NFKC runs on the token.
#[inline]
pub(crate) fn fold_fullwidth(c: char) -> char {
    let cp = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&cp) {
        char::from_u32(cp - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// What a non-alphanumeric character inside a word stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbol {
    /// `*`, `#`, `%`: a masked letter (any letter).
    Wild,
    /// `$`, `@`, `!`, `¢`, `€`: a letter look-alike.
    Letter(char),
}

/// The in-word meaning of a symbol character, if it has one.
#[inline]
pub(crate) fn symbol(c: char) -> Option<Symbol> {
    match fold_fullwidth(c) {
        '*' | '#' | '%' => Some(Symbol::Wild),
        '$' => Some(Symbol::Letter('s')),
        '@' => Some(Symbol::Letter('a')),
        '!' => Some(Symbol::Letter('i')),
        '¢' => Some(Symbol::Letter('c')),
        '€' => Some(Symbol::Letter('e')),
        _ => None,
    }
}

/// Letters a leetspeak digit or symbol can stand for, most likely first.
#[inline]
pub(crate) fn leet_letters(c: char) -> Option<&'static [char]> {
    Some(match c {
        '0' => &['o'],
        '1' => &['i', 'l'],
        '3' => &['e'],
        '4' => &['a'],
        '5' => &['s'],
        '6' => &['b', 'g'],
        '7' => &['t'],
        '8' => &['b'],
        '9' => &['g'],
        '$' => &['s'],
        '@' => &['a'],
        '!' => &['i', 'l'],
        '¢' => &['c'],
        '€' => &['e'],
        _ => return None,
    })
}

/// Zero-width and other invisible characters people insert inside words to dodge filters.
#[inline]
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{034F}'
    )
}

/// Apostrophe look-alikes that stay inside words ("don't", "they’re").
#[inline]
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '\u{2032}' | '`'
    )
}

/// Whether `c` can start or continue a word candidate: alphanumerics and mask symbols.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || symbol(c).is_some()
    } else {
        c.is_alphanumeric() || symbol(c).is_some()
    }
}

/// Whether `c` may continue a word without being a word character itself (combining marks,
/// invisible characters).
#[inline]
pub(crate) fn is_word_continuation(c: char) -> bool {
    !c.is_ascii() && (unicode_normalization::char::is_combining_mark(c) || is_invisible(c))
}

/// The Latin letter a lowercase Cyrillic, Greek or Latin-extension look-alike stands for.
pub(crate) fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' | 'є' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'ь' => 'b',
        'п' => 'n',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'γ' => 'y',
        'ω' => 'w',
        'μ' => 'u',
        'ς' => 's',
        // Latin extensions and IPA look-alikes
        'ı' => 'i',
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ɩ' => 'i',
        'ʏ' => 'y',
        'ᴀ' => 'a',
        'ʙ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ɪ' => 'i',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ʟ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ꜱ' => 's',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ᴢ' => 'z',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_folds_to_ascii() {
        assert_eq!(fold_fullwidth('＊'), '*');
        assert_eq!(fold_fullwidth('ａ'), 'a');
        assert_eq!(fold_fullwidth('a'), 'a');
    }

    #[test]
    fn classes() {
        assert!(is_word_char('a') && is_word_char('é') && is_word_char('*'));
        assert!(!is_word_char(' ') && !is_word_char('-') && !is_word_char('\''));
        assert!(is_word_continuation('\u{0301}') && is_word_continuation('\u{200B}'));
        assert_eq!(homoglyph('о'), Some('o'));
        assert_eq!(homoglyph('z'), None);
        assert_eq!(leet_letters('1'), Some(&['i', 'l'][..]));
    }
}
