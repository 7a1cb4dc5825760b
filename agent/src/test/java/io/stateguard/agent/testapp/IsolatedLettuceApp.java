package io.stateguard.agent.testapp;

import java.nio.file.Paths;
import java.security.ProtectionDomain;
import java.util.Map;

/**
 * An application whose Lettuce lives in a class loader of its own (as in a fat jar or a container), so that the
 * agent defines its helper classes there. Loads a Lettuce class the agent weaves, then prints whether the helpers
 * are beside Lettuce and whether a class of the application's class path (this one) can now reflect into
 * {@code java.lang}: the agent must not have opened it to the class path.
 *
 * <p>Argument: the Lettuce jar.
 */
public final class IsolatedLettuceApp {

    public static void main(String[] args) throws Exception {
        ClassLoader lettuce = new ClientJarLoader(Paths.get(args[0]), IsolatedLettuceApp.class.getClassLoader(),
                Map.of());
        Class.forName("io.lettuce.core.masterreplica.MasterReplicaChannelWriter", false, lettuce);
        Class<?> stale = Class.forName("io.stateguard.agent.api.StaleStateException", false, lettuce);
        System.out.println("helpers.beside.lettuce=" + (stale.getClassLoader() == lettuce));
        try {
            ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ProtectionDomain.class).setAccessible(true);
            System.out.println("java.lang.open.to.class.path=true");
        } catch (RuntimeException e) {
            System.out.println("java.lang.open.to.class.path=false");
        }
    }
}
