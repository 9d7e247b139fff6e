package io.eventdbx.command.support;

import java.util.List;

/**
 * The seed's {@code --token <value>} (or {@code --token=<value>}), accepted anywhere on a command line: taken out
 * before the command parses its own options, because it says who runs the command, not what it does.
 */
public final class TokenArgument {

    private TokenArgument() {}

    /**
     * Removes every {@code --token} option from a command line.
     *
     * @param args the arguments; changed in place
     * @param from the first index to look at (to skip a command word)
     * @return the last token given, or null if none
     */
    public static String take(List<String> args, int from) {
        String token = null;
        for (int i = from; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--token") && i + 1 < args.size()) {
                token = args.remove(i + 1);
                args.remove(i--);
            } else if (arg.startsWith("--token=")) {
                token = arg.substring("--token=".length());
                args.remove(i--);
            }
        }
        return token;
    }
}
