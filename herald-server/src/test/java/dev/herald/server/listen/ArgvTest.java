package dev.herald.server.listen;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgvTest {
    @Test
    void words_split_on_blanks_and_quotes_keep_them_together_without_any_shell_expansion() {
        assertThat(Argv.split("notify-send  Herald")).containsExactly("notify-send", "Herald");
        assertThat(Argv.split("tee -a '/tmp/a b; rm x'")).containsExactly("tee", "-a", "/tmp/a b; rm x");
        assertThat(Argv.split("echo \"$HOME\" '$(id)' a\\ b \"\"")).containsExactly("echo", "$HOME", "$(id)", "a b", "");
        assertThat(Argv.split("prog | grep x > out")).isEqualTo(List.of("prog", "|", "grep", "x", ">", "out"));
    }

    @Test
    void an_empty_command_or_an_open_quote_is_refused() {
        assertThatThrownBy(() -> Argv.split("   ")).hasMessageContaining("needs a command");
        assertThatThrownBy(() -> Argv.split("echo 'x")).hasMessageContaining("unbalanced");
    }
}
