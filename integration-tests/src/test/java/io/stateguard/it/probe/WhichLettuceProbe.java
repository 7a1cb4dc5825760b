package io.stateguard.it.probe;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Prints which Lettuce this JVM runs ({@code lettuce.version=<Implementation-Version>},
 * {@code lettuce.jar=<path>}, and the jars of Netty's transport and of Reactor, outside the
 * {@code probe.} namespace), then runs another probe: {@code WhichLettuceProbe <main class> <its
 * arguments...>}. The version tests use it to prove that a forked JVM really ran the Lettuce (and
 * Netty) they asked for.
 */
public final class WhichLettuceProbe {

    public static void main(String[] args) throws Exception {
        Class<?> client = Class.forName("io.lettuce.core.RedisClient", false, WhichLettuceProbe.class.getClassLoader());
        System.out.println("lettuce.version=" + client.getPackage().getImplementationVersion());
        System.out.println("lettuce.jar=" + client.getProtectionDomain().getCodeSource().getLocation().getPath());
        System.out.println("lettuce.netty=" + jarOf("io.netty.channel.Channel"));
        System.out.println("lettuce.reactor=" + jarOf("reactor.core.publisher.Mono"));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }

    private static String jarOf(String className) {
        try {
            Class<?> type = Class.forName(className, false, WhichLettuceProbe.class.getClassLoader());
            return type.getProtectionDomain().getCodeSource().getLocation().getPath();
        } catch (ClassNotFoundException e) {
            return "none";
        }
    }
}
