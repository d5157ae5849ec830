package dev.herald.server.cli;

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
            String closest = closest(flag, candidates(spec, option));
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

    /**
     * The candidate nearest to {@code typed} by edit distance (a swap of two neighbours counts as one edit),
     * leading dashes ignored; {@code null} when even the nearest is too far to be a typo of it.
     */
    static String closest(String typed, List<String> candidates) {
        String bare = strip(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(bare, strip(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, bare.length() / 3) ? best : null;
    }

    private static String strip(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
