package dev.herald.server.cli;

import dev.herald.server.config.ConfigException;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.docs.ReferenceTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
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

    /** The environment the settings are read from: the process's, or a test's. */
    private final Map<String, String> env;

    public ConfigCommand() {
        this(System.getenv());
    }

    ConfigCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        if (keys) {
            System.out.print(ReferenceTables.settings(ReferenceTables.ALL));
            return HeraldCommand.EXIT_OK;
        }
        try {
            HeraldConfig config = ServeCommand.load(spec, configFile, env);
            System.out.println(config.describe());
            System.out.println("mode: " + (config.devMode() ? "dev (no auth; loopback only)" : "authenticated"));
            return HeraldCommand.EXIT_OK;
        } catch (ConfigException e) {
            System.err.println("herald: configuration error: " + e.getMessage());
            return HeraldCommand.EXIT_CONFIG;
        }
    }
}
