package dev.herald.server.cli;

import dev.herald.server.config.ConfigException;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code herald config}: prints the effective configuration (secrets masked), or with {@code --keys} the table of every setting. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Validates and prints the effective configuration (secrets masked). Exit 2 if it is invalid.")
public final class ConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (env HERALD_CONFIG).")
    Path configFile;

    @Option(names = "--keys", description = "Print every setting as a Markdown table (key, env var, unit, default, meaning) and exit.")
    boolean keys;

    public ConfigCommand() { }

    @Override
    public Integer call() {
        if (keys) {
            System.out.println("| key | env var | unit | default | meaning |");
            System.out.println("|---|---|---|---|---|");
            for (Setting s : Setting.values()) {
                System.out.println("| `" + s.key() + "` | `" + s.envName() + "` | " + s.unit() + " | "
                        + (s.defaultValue().isEmpty() ? "—" : "`" + s.defaultValue() + "`") + " | " + s.description() + " |");
            }
            return HeraldCommand.EXIT_OK;
        }
        try {
            HeraldConfig config = ServeCommand.load(spec, configFile, System.getenv());
            System.out.println(config.describe());
            System.out.println("mode: " + (config.devMode() ? "dev (no auth; loopback only)" : "authenticated"));
            return HeraldCommand.EXIT_OK;
        } catch (ConfigException e) {
            System.err.println("herald: configuration error: " + e.getMessage());
            return HeraldCommand.EXIT_CONFIG;
        }
    }
}
