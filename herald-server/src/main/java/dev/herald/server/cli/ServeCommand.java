package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.Setting;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code herald serve}: loads the configuration (defaults, file, environment, flags), starts the
 * server and runs until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Runs the Herald server until SIGTERM or SIGINT.", "",
                "Every setting can come from the YAML file (--config), a HERALD_* environment variable or a flag.",
                "Flags win over the environment, the environment over the file, the file over the defaults below."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (env HERALD_CONFIG).")
    Path configFile;

    /** The environment the settings are read from: the process's, or a test's. */
    private final Map<String, String> env;

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    /** picocli builds one option per {@link Setting}, so the help lists every key with its default. */
    public static CommandLine command() {
        return command(System.getenv());
    }

    static CommandLine command(Map<String, String> env) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new ServeCommand(env));
        addSettingOptions(spec);
        return new CommandLine(spec);
    }

    static void addSettingOptions(CommandSpec spec) {
        for (Setting s : Setting.values()) {
            spec.addOption(OptionSpec.builder("--" + s.key())
                    .paramLabel("<" + s.unit() + ">")
                    .type(String.class)
                    .description(s.description() + " Default: " + (s.defaultValue().isEmpty() ? "(none)" : s.defaultValue())
                            + ". Env: " + s.envName() + ".")
                    .build());
        }
    }

    @Override
    public Integer call() {
        HeraldConfig config;
        try {
            config = load(spec, configFile, env);
        } catch (ConfigException e) {
            System.err.println("herald: configuration error: " + e.getMessage());
            return HeraldCommand.EXIT_CONFIG;
        }
        applyLogLevel(config.logLevel());
        // Signals are handled from before the port opens (no window where SIGTERM kills us with 143),
        // and by us rather than a shutdown hook, so that a SIGTERM ends in exit code 0.
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), sig -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), sig -> stopRequested.countDown());
        HeraldServer server;
        try {
            server = new HeraldServer(config).start();
        } catch (ConfigException e) {
            System.err.println("herald: configuration error: " + e.getMessage());
            return HeraldCommand.EXIT_CONFIG;
        } catch (RuntimeException e) {
            System.err.println("herald: cannot start: " + e.getMessage());
            return HeraldCommand.EXIT_FAILURE;
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.shutdown(config.shutdownGrace());
        return HeraldCommand.EXIT_OK;
    }

    /** Merges the sources for this invocation. Package-visible for {@code herald config}. */
    static HeraldConfig load(CommandSpec spec, Path configFile, Map<String, String> env) {
        ConfigSources sources = new ConfigSources();
        Path file = configFile != null ? configFile : env.get("HERALD_CONFIG") != null ? Path.of(env.get("HERALD_CONFIG")) : null;
        if (file != null) {
            sources.file(file);
        }
        sources.environment(env);
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            OptionSpec option = spec.findOption("--" + s.key());
            if (option != null && option.getValue() != null) {
                flags.put(s, option.getValue());
            }
        }
        HeraldConfig config = sources.flags(flags).build();
        warn(config);
        return config;
    }

    /**
     * The one place configuration warnings (an unknown {@code HERALD_*} variable, a connection cap the
     * descriptor limit cannot hold) reach the operator, for {@code serve} and {@code config} alike: on stderr,
     * so {@code herald config} output stays a clean listing.
     */
    static void warn(HeraldConfig config) {
        config.warnings().forEach(w -> System.err.println("herald: warning: " + w));
    }

    static void applyLogLevel(String level) {
        if (LoggerFactory.getLogger("dev.herald") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
