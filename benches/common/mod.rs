//! Inputs shared by the benchmark suites.

/// A realistic ~1 KB reader comment with a little obfuscation, a URL, a mention and numbers.
pub const COMMENT: &str = "@DeepThinker42 You clearly didn't read the article, did you? The ministry \
published the figures on 12 March 2017 and they're right there: https://example.com/report?id=991. \
Anyone who still believes the official story after the 9/11 commission, the WMD fiasco and the \
\u{201C}humanitarian\u{201D} bombing of Libya is either paid to believe it or a complete 1d10t. \
Wake up, sheeple!!! The same globalist families have been pulling the strings since the 1913 Fed \
act, and every election is theater for the masses. Soooo predictable. Of course the media won't \
touch it, they're all in bed together with the deep state. I'm not saying every politician is a \
f**king crook, but when 95% of them vote the same way on every war, you have to ask who really \
gives the orders. Look at the money: follow the lobbyists, the think tanks, the G20 summits behind \
closed doors. None of that is secret, it's just ignored. Read something other than the headlines \
for once, and stop calling people conspiracy theorists for asking questions. Café owners in my \
town understand this better than most journalists do.";
