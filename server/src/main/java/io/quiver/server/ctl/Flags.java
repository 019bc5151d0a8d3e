package io.quiver.server.ctl;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code --name value} command-line flags over a map of defaults (every flag a command accepts has one). {@code --help}
 * prints the usage; an unknown flag or a missing value prints what is wrong and the usage.
 *
 * @param values the defaults overridden by the flags given; null when the command should exit with {@code exitCode}
 */
record Flags(Map<String, String> values, int exitCode) {
    static Flags parse(String[] args, Map<String, String> defaults, String usage, PrintStream out) {
        Map<String, String> a = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println(usage);
                return new Flags(null, 0);
            }
            if (!a.containsKey(args[i]) || i + 1 == args.length) {
                out.println((a.containsKey(args[i]) ? "missing value for " : "unknown argument ") + args[i]);
                out.println(usage);
                return new Flags(null, 2);
            }
            a.put(args[i], args[i + 1]);
        }
        return new Flags(a, 0);
    }

    boolean exit() {
        return values == null;
    }

    /** The whole-number value of flag {@code name}; IllegalArgumentException naming the flag when it is not one or below {@code min}. */
    long number(String name, long min) {
        String v = values.get(name);
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number for " + name + ": " + v);
        }
        if (n < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + v);
        }
        return n;
    }
}
