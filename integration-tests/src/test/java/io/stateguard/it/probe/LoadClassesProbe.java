package io.stateguard.it.probe;

/**
 * Loads the named classes (without initialising them or connecting anywhere) and reports the jar of
 * each: enough for the agent to see which Redis clients the application has. With {@code --wait} as
 * the first argument it then prints {@code probe.ready} and stays up (for an attach) for two
 * minutes at most, until the test stops it.
 */
public final class LoadClassesProbe {

    public static void main(String[] args) throws Exception {
        boolean wait = args.length > 0 && args[0].equals("--wait");
        for (String name : wait ? java.util.Arrays.copyOfRange(args, 1, args.length) : args) {
            Class<?> type = Class.forName(name, false, LoadClassesProbe.class.getClassLoader());
            System.out.println("probe." + type.getSimpleName() + "=" + type.getProtectionDomain().getCodeSource()
                    .getLocation().getPath());
        }
        if (wait) {
            System.out.println("probe.ready");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
