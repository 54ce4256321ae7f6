//! What the on-screen keyboard types: Vietnamese through Telex (the `vi` crate places the tone
//! marks by the modern rules) or plain letters without diacritics.

/// How letters are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Telex: `aa` → â, `ow` → ơ, `dd` → đ, `s f r x j` add tones, `z` removes them.
    Telex,
    /// Every key is the letter it shows.
    Plain,
}

/// The text being typed. The word under the cursor is kept as the keys pressed, so a tone key
/// typed after the whole word still lands on the right vowel (`camr` → "cảm").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composer {
    done: String,
    word: Vec<char>,
    mode: Mode,
    max_len: usize,
    shift: bool,
    caps: bool,
}

impl Composer {
    /// An empty text of at most `max_len` characters, typed in Telex.
    pub fn new(max_len: usize) -> Composer {
        Composer {
            done: String::new(),
            word: Vec::new(),
            mode: Mode::Telex,
            max_len,
            shift: false,
            caps: false,
        }
    }

    /// Starts from text already written (when the patient comes back to a comment).
    pub fn with_text(text: &str, max_len: usize) -> Composer {
        let mut composer = Composer::new(max_len);
        composer.done = text.chars().take(max_len).collect();
        composer
    }

    /// The text as the patient sees it.
    pub fn text(&self) -> String {
        let mut text = self.done.clone();
        text.push_str(&render(&self.word, self.mode));
        text
    }

    /// Number of characters shown.
    pub fn len(&self) -> usize {
        self.text().chars().count()
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.word.is_empty()
    }

    /// The longest text accepted.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The typing mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the one-shot shift is on (the next letter only).
    pub fn shift(&self) -> bool {
        self.shift
    }

    /// Whether caps lock is on (every letter until it is turned off).
    pub fn caps(&self) -> bool {
        self.caps
    }

    /// Whether the next letter key types a capital: shift or caps lock, but not both (shift
    /// under caps lock gives one small letter, as on any keyboard).
    pub fn capitals(&self) -> bool {
        self.shift != self.caps
    }

    /// Switches between Telex and plain letters; the word so far stays as shown.
    pub fn set_mode(&mut self, mode: Mode) {
        self.commit();
        self.mode = mode;
    }

    /// Capitalises the next letter (a one-shot shift, like a phone keyboard).
    pub fn toggle_shift(&mut self) {
        self.shift = !self.shift;
    }

    /// Caps lock: every letter a capital until it is pressed again ("TTYT" is four letters
    /// after one press, not four shift-and-letter pairs).
    pub fn toggle_caps(&mut self) {
        self.caps = !self.caps;
        self.shift = false;
    }

    /// A key of the on-screen keyboard with a character on it, capitalised by shift or caps
    /// lock: a letter joins the current word, anything else ends it.
    pub fn key(&mut self, ch: char) {
        let ch = if self.capitals() {
            ch.to_uppercase().next().unwrap_or(ch)
        } else {
            ch.to_lowercase().next().unwrap_or(ch)
        };
        self.insert(ch);
    }

    /// A character typed on a real (USB) keyboard: as it came, capitals and all (the keyboard
    /// applied its own Shift and Caps Lock); in Telex mode its letters are composed like the
    /// screen's (`camr` → "cảm"), and a Vietnamese letter from the system's input method
    /// goes in as it is.
    pub fn typed(&mut self, ch: char) {
        if !ch.is_control() {
            self.insert(ch);
        }
    }

    fn insert(&mut self, ch: char) {
        let before = self.clone();
        if self.mode == Mode::Telex && ch.is_ascii_alphabetic() {
            self.word.push(ch);
        } else {
            self.commit();
            self.done.push(ch);
        }
        self.shift = false;
        if self.len() > self.max_len {
            *self = Composer { shift: false, ..before };
        }
    }

    /// The space bar.
    pub fn space(&mut self) {
        self.key(' ');
    }

    /// Deletes the last character shown ("bác" → "bá"), whatever keys produced it.
    pub fn backspace(&mut self) {
        if self.word.is_empty() {
            self.done.pop();
        } else {
            let mut shown = render(&self.word, self.mode);
            shown.pop();
            self.done.push_str(&shown);
            self.word.clear();
        }
    }

    fn commit(&mut self) {
        if !self.word.is_empty() {
            self.done.push_str(&render(&self.word, self.mode));
            self.word.clear();
        }
    }
}

fn render(word: &[char], mode: Mode) -> String {
    match mode {
        Mode::Plain => word.iter().collect(),
        Mode::Telex => {
            let mut out = String::new();
            vi::transform_buffer(&vi::TELEX, word.iter().copied(), &mut out);
            out
        }
    }
}

/// Types `keys` as if tapped one by one: letters, space, and `<` for backspace. Used by tests
/// and benchmarks to compare the keyboard against known words.
pub fn type_keys(keys: &str, max_len: usize) -> String {
    let mut composer = Composer::new(max_len);
    for ch in keys.chars() {
        match ch {
            '<' => composer.backspace(),
            ' ' => composer.space(),
            c if c.is_uppercase() => {
                composer.toggle_shift();
                composer.key(c.to_lowercase().next().unwrap_or(c));
            }
            c => composer.key(c),
        }
    }
    composer.text()
}
