package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/errors.md documents every code of the HTTP error catalog (ErrorCode promises this). */
class ErrorCatalogDocumentedTest {
    /** Relative to the herald-server module, where Maven runs the tests. */
    private static final Path ERRORS_MD = Path.of("..", "docs", "errors.md");

    @Test
    void every_error_code_appears_in_docs_errors_md() throws IOException {
        assertThat(ERRORS_MD).as("docs/errors.md must exist and document the error catalog").isRegularFile();
        String docs = Files.readString(ERRORS_MD);

        List<String> missing = Arrays.stream(ErrorCode.values()).map(ErrorCode::code)
                .filter(code -> !Pattern.compile("\\b" + Pattern.quote(code) + "\\b").matcher(docs).find())
                .toList();

        assertThat(missing).as("error codes missing from %s", ERRORS_MD.toAbsolutePath().normalize()).isEmpty();
    }
}
