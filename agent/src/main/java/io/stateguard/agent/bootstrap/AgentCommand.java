package io.stateguard.agent.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * {@code java -jar stateguard-agent.jar [command]}: usage and version, {@code list} (the JVMs this
 * user can attach to) and {@code attach <pid> [name=value;...]} (load the agent into a running JVM
 * through the Attach API; Lettuce classes already loaded there are retransformed, and connections
 * already open start routing state-key reads without a restart).
 *
 * <p>Exit codes: {@value #OK} done, {@value #FAILED} failed (no such process, not a JVM, another
 * user's JVM, attach refused, the agent did not activate), {@value #USAGE} bad arguments,
 * {@value #ALREADY_ACTIVE} StateGuard is already active in the target JVM.
 */
final class AgentCommand {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int ALREADY_ACTIVE = 3;

    private static final String DYNAMIC_LOADING_FLAG = "-XX:+EnableDynamicAgentLoading";

    private final PrintStream out;
    private final PrintStream err;
    private final File agentJar;
    private final String version;

    AgentCommand(PrintStream out, PrintStream err, File agentJar, String version) {
        this.out = out;
        this.err = err;
        this.agentJar = agentJar;
        this.version = version;
    }

    int run(String[] args) {
        if (args.length == 0 || isOneOf(args[0], "help", "-h", "--help", "-help")) {
            usage(out);
            return OK;
        }
        if (isOneOf(args[0], "version", "--version", "-version")) {
            out.println("StateGuard agent " + version);
            return OK;
        }
        if (args[0].equals("list")) {
            if (args.length != 1) {
                return usageError("list takes no arguments");
            }
            return list();
        }
        if (args[0].equals("attach")) {
            if (args.length < 2) {
                return usageError("attach needs the process id of a running JVM");
            }
            String agentArgs = args.length == 2 ? "" : join(Arrays.copyOfRange(args, 2, args.length));
            return attach(args[1], agentArgs);
        }
        return usageError("unknown command '" + args[0] + "'");
    }

    private int usageError(String problem) {
        err.println("stateguard: " + problem);
        err.println();
        usage(err);
        return USAGE;
    }

    void usage(PrintStream stream) {
        stream.println("StateGuard agent " + version);
        stream.println();
        stream.println("Usage: java -javaagent:stateguard-agent.jar[=name=value;...] ... your application");
        stream.println("  e.g. java -javaagent:stateguard-agent.jar=keys=app:state:*,app:instance:* -jar gateway.jar");
        stream.println();
        stream.println("       java -jar stateguard-agent.jar attach <pid> [name=value;...]");
        stream.println("         loads the agent into the running JVM <pid> (same user; a JDK's java); Lettuce");
        stream.println("         connections that are already open start routing state-key reads at once.");
        stream.println("         JDK 21+ targets print a warning unless started with " + DYNAMIC_LOADING_FLAG + ".");
        stream.println("       java -jar stateguard-agent.jar list       JVMs this user can attach to (pid, main class)");
        stream.println("       java -jar stateguard-agent.jar version    the version");
        stream.println("  exit codes: 0 done, 1 failed, 2 bad arguments, 3 StateGuard is already active in the JVM");
        stream.println();
        stream.println("Settings (agent arguments without the prefix, system properties stateguard.*, environment");
        stream.println("STATEGUARD_*, a file via stateguard.config):");
        stream.println("  stateguard.keys                 comma-separated key globs of the default rule");
        stream.println("  stateguard.rule.<name>.keys     key globs of a named rule");
        stream.println("  stateguard.routing              primary (default) | configured | replica-checked");
        stream.println("  stateguard.rule.<name>.routing  the same, for one rule");
        stream.println("  stateguard.version              none (default) | json:<pointer> | hash:<field> | regex:<pattern>");
        stream.println("  stateguard.on-regression        reread-primary (default) | fail | report");
        stream.println("  stateguard.enabled              true (default) | false");
        stream.println("  stateguard.fail-fast            false (default) | true: exit (attach: fail) on invalid configuration");
        stream.println("  stateguard.log.level            info (default) | debug | warn | error | off");
    }

    private int list() {
        AttachApi api;
        try {
            api = AttachApi.load();
        } catch (AttachApi.Unavailable e) {
            err.println("stateguard: " + e.getMessage());
            return FAILED;
        }
        List<AttachApi.Descriptor> vms;
        try {
            vms = api.list();
        } catch (Exception e) {
            err.println("stateguard: cannot list the JVMs (" + e + ")");
            return FAILED;
        }
        String self = ownPid();
        List<String> lines = new ArrayList<>();
        for (AttachApi.Descriptor vm : vms) {
            if (!vm.id.equals(self)) {
                lines.add(String.format("%-8s %s", vm.id, mainClass(vm.displayName)));
            }
        }
        if (lines.isEmpty()) {
            out.println("no JVMs of user " + System.getProperty("user.name") + " to attach to");
            return OK;
        }
        out.println(String.format("%-8s %s", "PID", "MAIN CLASS OR JAR"));
        for (String line : lines) {
            out.println(line);
        }
        return OK;
    }

    private int attach(String pid, String agentArgs) {
        if (!pid.matches("[1-9][0-9]{0,9}")) {
            return usageError("'" + pid + "' is not a process id (expected a number, see: list)");
        }
        if (pid.equals(ownPid())) {
            err.println("stateguard: " + pid + " is this command's own JVM");
            return FAILED;
        }
        if (agentJar == null) {
            err.println("stateguard: cannot locate the agent jar this command runs from");
            return FAILED;
        }
        String problem = checkProcess(pid);
        if (problem != null) {
            err.println("stateguard: " + problem);
            return FAILED;
        }
        AttachApi api;
        try {
            api = AttachApi.load();
        } catch (AttachApi.Unavailable e) {
            err.println("stateguard: " + e.getMessage());
            return FAILED;
        }
        if (!isJvm(api, pid)) {
            err.println("stateguard: process " + pid + " is not a Java virtual machine");
            return FAILED;
        }
        Object vm;
        try {
            vm = api.attach(pid);
        } catch (Exception e) {
            err.println("stateguard: cannot attach to JVM " + pid + ": " + describe(e) + attachHint(e));
            return FAILED;
        }
        try {
            Properties properties = api.systemProperties(vm);
            String target = "JVM " + pid + " (" + describeTarget(api, vm, properties) + ")";
            String active = properties.getProperty(AgentInstaller.VERSION_PROPERTY);
            if (active != null) {
                err.println("stateguard: StateGuard " + active + " is already active in " + target + ": "
                        + properties.getProperty(AgentInstaller.STATUS_PROPERTY, "")
                        + "; it is not loaded twice (restart the JVM to change its settings)");
                return ALREADY_ACTIVE;
            }
            String dynamicWarning = dynamicLoadingNote(api, vm, properties);
            String attachId = ownPid() + "-" + Long.toHexString(System.nanoTime());
            try {
                api.loadAgent(vm, agentJar.getAbsolutePath(), StateGuardAgent.ATTACH_ID_ARGUMENT + attachId + ";"
                        + agentArgs);
            } catch (Exception e) {
                String status = statusOf(api, vm);
                if (e.getClass().getName().endsWith("AgentInitializationException")) {
                    err.println("stateguard: StateGuard refused to start in " + target + ": "
                            + (status != null ? status : describe(e)));
                } else {
                    err.println("stateguard: " + target + " could not load " + agentJar + ": " + describe(e)
                            + (dynamicWarning.isEmpty() ? "" : " (" + dynamicWarning + ")"));
                }
                return FAILED;
            }
            Properties after = api.systemProperties(vm);
            String status = after.getProperty(AgentInstaller.STATUS_PROPERTY);
            String winner = after.getProperty(AgentInstaller.ATTACH_ID_PROPERTY);
            if (after.getProperty(AgentInstaller.VERSION_PROPERTY) != null && !attachId.equals(winner)) {
                // Another command attached between our check and our load: the agent ignored this load.
                err.println("stateguard: StateGuard was attached to " + target + " by another command at the same"
                        + " time (" + (status != null ? status : "active") + "); this attach was not applied, its settings"
                        + " are not in effect");
                return ALREADY_ACTIVE;
            }
            if (status != null && status.startsWith("active")) {
                out.println("StateGuard " + version + " attached to " + target + ": " + status);
                if (!dynamicWarning.isEmpty()) {
                    out.println("note: " + dynamicWarning);
                }
                return OK;
            }
            err.println("stateguard: StateGuard did not activate in " + target + ": "
                    + (status != null ? status : "no status (see the JVM's standard error)"));
            return FAILED;
        } catch (Exception e) {
            err.println("stateguard: attaching to JVM " + pid + " failed: " + describe(e));
            return FAILED;
        } finally {
            api.detach(vm);
        }
    }

    /**
     * What speaks against attaching to {@code pid}, from {@code /proc} where there is one: no such
     * process, or a process of another user (the Attach API only connects to JVMs of the same user,
     * except for root).
     */
    static String checkProcess(String pid) {
        Path proc = Paths.get("/proc");
        if (!Files.isDirectory(proc.resolve("self"))) {
            return null;
        }
        Path process = proc.resolve(pid);
        if (!Files.isDirectory(process)) {
            return "no process with id " + pid;
        }
        String targetUid = effectiveUid(process);
        String ownUid = effectiveUid(proc.resolve("self"));
        if (targetUid != null && ownUid != null && !targetUid.equals(ownUid) && !ownUid.equals("0")) {
            return "process " + pid + " runs as user " + owner(process) + " (uid " + targetUid + "), this command as "
                    + owner(proc.resolve("self")) + " (uid " + ownUid + "): the Attach API only connects to JVMs of"
                    + " the same user; run it as that user, e.g. sudo -u " + owner(process)
                    + " java -jar stateguard-agent.jar attach " + pid;
        }
        return null;
    }

    /**
     * Whether {@code pid} is a JVM: where {@code /proc} is readable, a process that maps a {@code libjvm}
     * (also one started with {@code -XX:-UsePerfData}, which the Attach API does not list); elsewhere, one
     * the Attach API lists. The Attach API signals the target with {@code SIGQUIT}, which ends most processes
     * that are not JVMs, so unknown processes are never attached to.
     */
    private static boolean isJvm(AttachApi api, String pid) {
        // /proc first, where there is one: the Attach API's list comes from hsperfdata files, and the file of a
        // JVM that died without removing it names a pid that another process may have by now.
        if (Files.isDirectory(Paths.get("/proc", "self"))) {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc", pid, "maps"), StandardCharsets.ISO_8859_1)) {
                    if (line.contains("/libjvm.")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException | RuntimeException e) {
                // unreadable: ask the Attach API
            }
        }
        try {
            for (AttachApi.Descriptor vm : api.list()) {
                if (vm.id.equals(pid)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static String effectiveUid(Path process) {
        try {
            for (String line : Files.readAllLines(process.resolve("status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 ? ids[1] : ids[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return null;
    }

    private static String owner(Path process) {
        try {
            return Files.getOwner(process).getName();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String describeTarget(AttachApi api, Object vm, Properties properties) {
        String command = null;
        try {
            command = api.agentProperties(vm).getProperty("sun.java.command");
        } catch (Exception e) {
            // optional
        }
        if (command == null) {
            command = properties.getProperty("sun.java.command");
        }
        return (command == null ? "" : mainClass(command) + ", ") + "Java " + properties.getProperty("java.version", "?");
    }

    /** A note for JDK 21+ targets started without {@code -XX:+EnableDynamicAgentLoading}, or "". */
    private static String dynamicLoadingNote(AttachApi api, Object vm, Properties properties) {
        int feature = feature(properties.getProperty("java.specification.version", ""));
        if (feature < 21) {
            return "";
        }
        try {
            String jvmArgs = api.agentProperties(vm).getProperty("sun.jvm.args", "");
            if (jvmArgs.contains(DYNAMIC_LOADING_FLAG)) {
                return "";
            }
        } catch (Exception e) {
            // assume the flag is missing
        }
        return "JDK 21+ warns about dynamically loaded agents (and refuses them with -XX:-EnableDynamicAgentLoading);"
                + " start the JVM with " + DYNAMIC_LOADING_FLAG + " to allow them silently";
    }

    private static int feature(String specificationVersion) {
        try {
            String value = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
            int dot = value.indexOf('.');
            return Integer.parseInt(dot < 0 ? value : value.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String statusOf(AttachApi api, Object vm) {
        try {
            return api.systemProperties(vm).getProperty(AgentInstaller.STATUS_PROPERTY);
        } catch (Exception e) {
            return null;
        }
    }

    private static String attachHint(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("owned by") || message.contains("not secure") || message.contains("Permission denied")
                || message.contains("Operation not permitted")) {
            return " (the JVM belongs to another user: run the command as that user)";
        }
        return " (the JVM may run as another user or in another container, may have been started with"
                + " -XX:+DisableAttachMechanism, or may not be a HotSpot-based JVM)";
    }

    private static String describe(Throwable e) {
        String name = e.getClass().getName();
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return e.getMessage() == null ? simple : simple + ": " + e.getMessage();
    }

    static String mainClass(String command) {
        String trimmed = command == null ? "" : command.trim();
        int space = trimmed.indexOf(' ');
        String first = space < 0 ? trimmed : trimmed.substring(0, space);
        return first.isEmpty() ? "(unknown)" : first;
    }

    static String ownPid() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        return at > 0 ? name.substring(0, at) : name;
    }

    private static String join(String[] parts) {
        StringBuilder joined = new StringBuilder();
        for (String part : parts) {
            if (part.trim().isEmpty()) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(';');
            }
            joined.append(part.trim());
        }
        return joined.toString();
    }

    private static boolean isOneOf(String value, String... candidates) {
        for (String candidate : candidates) {
            if (candidate.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
