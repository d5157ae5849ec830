package dev.herald.server.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Merges configuration sources, later ones winning: defaults, then the YAML file, then
 * {@code HERALD_*} environment variables, then command-line flags. Unknown keys in the file are
 * errors (a typo must not silently fall back to a default).
 */
public final class ConfigSources {
    /** Environment variables starting with HERALD_ that are not settings. */
    private static final List<String> NON_SETTING_ENV = List.of("HERALD_CONFIG", "HERALD_JAVA_OPTS");

    private final Map<Setting, String> values = new EnumMap<>(Setting.class);
    private final Map<Setting, String> origins = new EnumMap<>(Setting.class);
    private final List<String> warnings = new ArrayList<>();

    public ConfigSources() {
        for (Setting s : Setting.values()) {
            values.put(s, s.defaultValue());
            origins.put(s, "default");
        }
    }

    /** Reads a YAML file of nested maps ({@code auth: {jwt-secret: …}}) or dotted keys. */
    public ConfigSources file(Path path) {
        Map<String, Object> tree;
        try (Reader reader = Files.newBufferedReader(path)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            Object loaded = new Yaml(new SafeConstructor(options)).load(reader);
            if (loaded == null) {
                return this;
            }
            if (!(loaded instanceof Map<?, ?> map)) {
                throw new ConfigException(path + ": the file must be a map of settings");
            }
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) map;
            tree = m;
        } catch (IOException e) {
            throw new ConfigException("config file " + path + " cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof ConfigException) {
                throw e;
            }
            // Only the position and the parser's problem: its full message quotes file lines, which may hold secrets.
            if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblemMark() != null) {
                throw new ConfigException("config file " + path + " is not valid YAML at line " + (marked.getProblemMark().getLine() + 1)
                        + ", column " + (marked.getProblemMark().getColumn() + 1) + ": " + marked.getProblem());
            }
            throw new ConfigException("config file " + path + " is not valid YAML");
        }
        flatten("", tree, path.toString());
        return this;
    }

    private void flatten(String prefix, Map<?, ?> map, String origin) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, origin);
                continue;
            }
            Setting s = Setting.byKey(key);
            if (s == null) {
                String closest = Suggestions.closest(key, Arrays.stream(Setting.values()).map(Setting::key).toList());
                throw new ConfigException(origin + ": unknown setting '" + key + "'"
                        + (closest != null ? " (did you mean " + closest + "?)" : "") + "; ./herald config --keys lists them");
            }
            String text = value == null ? "" : value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(value);
            put(s, text, origin);
        }
    }

    public ConfigSources environment(Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith("HERALD_") || NON_SETTING_ENV.contains(e.getKey())) {
                continue;
            }
            Setting match = null;
            for (Setting s : Setting.values()) {
                if (s.envName().equals(e.getKey())) {
                    match = s;
                }
            }
            if (match == null) {
                String closest = Suggestions.closest(e.getKey(), Arrays.stream(Setting.values()).map(Setting::envName).toList());
                warnings.add("ignoring environment variable " + e.getKey() + ": no such setting"
                        + (closest != null ? " (did you mean " + closest + "?)" : ""));
            } else {
                put(match, e.getValue(), "env " + e.getKey());
            }
        }
        return this;
    }

    public ConfigSources flags(Map<Setting, String> flags) {
        flags.forEach((s, v) -> put(s, v, "flag --" + s.key()));
        return this;
    }

    private void put(Setting s, String value, String origin) {
        values.put(s, value);
        origins.put(s, origin);
    }

    public HeraldConfig build() {
        return HeraldConfig.from(values, origins, warnings);
    }
}
