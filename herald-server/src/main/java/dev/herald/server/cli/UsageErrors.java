package dev.herald.server.cli;

import dev.herald.server.config.Suggestions;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * How a mistyped command line is answered: one line on stderr naming the problem (for an unknown flag, the
 * closest valid one) and where the full list is, then exit 2. Not the usage text: {@code serve} has an
 * option per setting, and several hundred lines of help bury the one that matters.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(message(e, cmd.getCommandSpec()));
        err.flush();
        return HeraldCommand.EXIT_CONFIG;
    }

    static String message(ParameterException e, CommandSpec spec) {
        String name = spec.qualifiedName();
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String arg = unmatched.getUnmatched().getFirst();
            // only the flag: a mistyped "--auth.jwt-secert=<secret>" must not echo the secret
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean option = flag.startsWith("-");
            String closest = Suggestions.closest(flag, candidates(spec, option));
            return name + ": unknown " + (option ? "option " : "command or argument ") + flag
                    + (closest != null ? " (did you mean " + closest + "?)" : "")
                    + "; '" + name + " --help' lists " + (option ? "every option" : "the commands");
        }
        return name + ": " + e.getMessage() + "; see '" + name + " --help'";
    }

    /** Option names (every setting is one: {@code --ws.heartbeat}) for a flag; subcommand names otherwise. */
    private static List<String> candidates(CommandSpec spec, boolean option) {
        List<String> names = new ArrayList<>();
        if (option) {
            for (OptionSpec o : spec.options()) {
                names.addAll(List.of(o.names()));
            }
        } else {
            names.addAll(spec.subcommands().keySet());
        }
        return names;
    }
}
