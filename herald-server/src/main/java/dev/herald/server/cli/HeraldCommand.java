package dev.herald.server.cli;

import dev.herald.server.HeraldServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;

/** {@code herald}: the command line. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration. */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = HeraldCommand.Version.class,
        description = "Herald: a real-time push center. WebSocket clients bound to user ids, pushed to over HTTP.",
        subcommands = {TokenCommand.class, CommandLine.HelpCommand.class})
public final class HeraldCommand {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this directly). */
    public static int execute(String... args) {
        return execute(System.getenv(), args);
    }

    /** As {@link #execute(String...)}, with the given environment instead of the process's. */
    static int execute(Map<String, String> env, String... args) {
        if (args.length == 0) {
            args = new String[] {"serve"};
        }
        return commandLine(env).execute(args);
    }

    /** The full command tree; serve and config get one option per setting, built from {@code Setting}. */
    public static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cli = new CommandLine(new HeraldCommand());
        cli.addSubcommand("serve", ServeCommand.command(env));
        CommandLine.Model.CommandSpec config = CommandLine.Model.CommandSpec.forAnnotatedObject(new ConfigCommand(env));
        ServeCommand.addSettingOptions(config);
        cli.addSubcommand("config", new CommandLine(config));
        cli.addSubcommand("listen", new CommandLine(new ListenCommand(env)));
        cli.setParameterExceptionHandler(new UsageErrors());
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"herald " + HeraldServer.VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
