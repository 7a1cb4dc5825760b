package io.stateguard.agent.testapp;

/** The smallest application: proves that the JVM started and ran main with the agent attached. */
public final class HelloApp {

    public static void main(String[] args) {
        System.out.println("hello from the application");
    }
}
