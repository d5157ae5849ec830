package dev.herald.server.docs;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.protocol.ProtocolError;
import dev.herald.server.config.Setting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The generated sections of README.md, docs/configuration.md and docs/errors.md match the code. With
 * {@code -Dherald.docs.regenerate=true} the test rewrites them instead (the command is
 * {@link GeneratedSections#REGENERATE}).
 */
class GeneratedDocsTest {
    /** The repository root, relative to the herald-server module where Maven runs the tests. */
    private static final Path ROOT = Path.of("..");

    /** Before every test of the class, so that the checks below read the rewritten files. */
    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("herald.docs.regenerate")) {
            List<String> changed = GeneratedSections.regenerate(ROOT);
            System.out.println(changed.isEmpty() ? "generated docs were up to date" : "regenerated: " + changed);
        }
    }

    @Test
    void generated_sections_of_the_docs_match_the_code() throws IOException {
        assertThat(GeneratedSections.drifted(ROOT))
                .as("these docs no longer match the code; regenerate them from the repository root with:%n  %s%n",
                        GeneratedSections.REGENERATE)
                .isEmpty();
    }

    @Test
    void the_configuration_reference_lists_every_setting_and_the_readme_the_common_ones() throws IOException {
        String reference = Files.readString(ROOT.resolve("docs/configuration.md"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Setting s : Setting.values()) {
            assertThat(reference).contains("| `" + s.key() + "` | `" + s.envName() + "` |");
            if (ReferenceTables.COMMON.test(s)) {
                assertThat(readme).contains("| `" + s.key() + "` | `" + s.envName() + "` |");
            }
        }
    }

    @Test
    void the_error_catalog_has_a_row_per_code_with_its_status_and_every_frame_code() throws IOException {
        String errors = Files.readString(ROOT.resolve("docs/errors.md"));
        for (ErrorCode e : ErrorCode.values()) {
            assertThat(errors).contains("| " + e.httpStatus() + " | `" + e.code() + "` |");
        }
        String frames = errors.substring(errors.indexOf("<!-- generated:error-frames"));
        for (ProtocolError p : ProtocolError.values()) {
            assertThat(frames).contains("`" + p.code() + "`");
        }
    }

    @Test
    void a_section_is_replaced_between_its_markers_and_the_text_around_it_kept() {
        String text = "intro\n<!-- generated:t (note) -->\nstale\n<!-- /generated -->\noutro\n";

        String rendered = GeneratedSections.render("f.md", text, Map.of("t", () -> "fresh\n"));

        assertThat(rendered).isEqualTo("intro\n<!-- generated:t (note) -->\nfresh\n<!-- /generated -->\noutro\n");
        assertThat(GeneratedSections.render("f.md", rendered, Map.of("t", () -> "fresh\n"))).isEqualTo(rendered);
    }

    @Test
    void a_missing_or_unclosed_marker_is_an_error_naming_the_file() {
        assertThatThrownBy(() -> GeneratedSections.render("f.md", "no markers", Map.of("t", () -> "")))
                .hasMessageContaining("f.md").hasMessageContaining("generated:t");
        assertThatThrownBy(() -> GeneratedSections.render("f.md", "<!-- generated:t -->\nx\n", Map.of("t", () -> "")))
                .hasMessageContaining("not closed");
    }
}
