package dev.herald.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any value for any setting (durations, sizes, counts, booleans, lists, CIDR ranges, URLs, paths, secrets…): the
 * configuration is built or refused with a {@link ConfigException}, never another exception, so a typo fails the start
 * with one clear line. The first byte picks the setting, the rest is its value. {@code host} is left out: checking it
 * resolves the name (DNS). Corpus: {@code ConfigValuesFuzzTestInputs/}.
 */
class ConfigValuesFuzzTest {
    private static final List<Setting> SETTINGS = Arrays.stream(Setting.values()).filter(s -> s != Setting.HOST).toList();

    @FuzzTest(maxDuration = "50s")
    void build(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Setting setting = SETTINGS.get(Byte.toUnsignedInt(input[0]) % SETTINGS.size());
        String value = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.NODE_ID, "fuzz"); // else the default asks the OS for the host name
        flags.put(setting, value);
        try {
            HeraldConfig config = new ConfigSources().flags(flags).build();
            assertThat(config.describe()).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
