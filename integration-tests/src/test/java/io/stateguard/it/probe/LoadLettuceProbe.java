package io.stateguard.it.probe;

/**
 * Loads Lettuce's client class and reports which Lettuce it got, without connecting anywhere: enough
 * for the agent to see the Lettuce version on the class path and decide whether it supports it.
 */
public final class LoadLettuceProbe {

    public static void main(String[] args) throws Exception {
        Class<?> client = Class.forName("io.lettuce.core.RedisClient", false, LoadLettuceProbe.class.getClassLoader());
        System.out.println("probe.loaded=" + client.getName());
        System.out.println("probe.jar=" + client.getProtectionDomain().getCodeSource().getLocation().getPath());
    }
}
