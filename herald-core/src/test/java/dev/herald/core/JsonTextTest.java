package dev.herald.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTextTest {
    /** What {@link JsonText#quote} wrote before its shortcut for text with nothing to escape: Jackson, always. */
    private static String jackson(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    @Test
    void quote_writes_what_jackson_writes_for_every_char() {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = "a" + (char) c + "b";
            assertThat(JsonText.quote(s)).as("U+%04X", c).isEqualTo(jackson(s));
            assertThat(JsonText.needsEscape(s)).as("U+%04X", c).isEqualTo(!jackson(s).equals("\"" + s + "\""));
        }
    }

    @Test
    void quote_writes_what_jackson_writes_for_whole_texts() {
        for (String s : new String[] {"", "1763938000000000000-1234", "héllo 🙂", "say \"hi\"", "a\\b", "line\nbreak",
                "\u0000\u001f\u007f", "</script>", "\ud83d", "tab\tend"}) {
            assertThat(JsonText.quote(s)).as(s).isEqualTo(jackson(s));
        }
    }
}
