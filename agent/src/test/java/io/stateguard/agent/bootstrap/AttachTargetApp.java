package io.stateguard.agent.bootstrap;

import java.util.concurrent.TimeUnit;

/**
 * A running application to attach to: prints {@code ready}, then waits (at most the number of
 * seconds in its first argument, default 60) until it is ended. Has no Lettuce: the attach command's
 * own behaviour is tested here, routing through an attach in the integration tests.
 */
public final class AttachTargetApp {

    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    }
}
