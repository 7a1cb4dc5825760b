package io.stateguard.it.gateway;

import io.stateguard.demo.KnownStates;
import io.stateguard.demo.PollAnswer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The poller's definitions of a wrong answer and of a QR code for a connected instance. */
class PollAnswerTest {

    private static final KnownStates.Known NOTHING = new KnownStates.Known(KnownStates.NONE, KnownStates.NONE);

    @Test
    void nothingIsWrongBeforeTheClientHasSeenAnything() {
        PollAnswer.Verdict verdict = new PollAnswer(1, "connecting", true).judge(NOTHING);

        assertThat(verdict.stale()).isFalse();
        assertThat(verdict.qrForConnected()).isFalse();
    }

    @Test
    void anAnswerOlderThanWhatWasSeenIsWrong() {
        KnownStates.Known seenV5Open = new KnownStates.Known(5, 5);

        assertThat(new PollAnswer(4, "connecting", false).judge(seenV5Open).stale()).isTrue();
        assertThat(new PollAnswer(5, "open", false).judge(seenV5Open).stale()).as("the same version").isFalse();
        assertThat(new PollAnswer(6, "connecting", false).judge(seenV5Open).stale()).as("newer").isFalse();
    }

    @Test
    void aQrCodeIsForAConnectedInstanceOnlyIfItIsNotNewerThanTheOpenStateSeen() {
        // Seen open at v5, then connecting at v6 (a reconnect).
        KnownStates.Known known = new KnownStates.Known(6, 5);

        assertThat(new PollAnswer(4, "connecting", true).judge(known).qrForConnected()).isTrue();
        assertThat(new PollAnswer(5, "connecting", true).judge(known).qrForConnected()).isTrue();
        // v7: the instance really was logged out after the open state the client saw: a legitimate QR code.
        assertThat(new PollAnswer(7, "close", true).judge(known).qrForConnected()).isFalse();
        assertThat(new PollAnswer(4, "connecting", false).judge(known).qrForConnected())
                .as("a state answer is no QR code, however old").isFalse();
        assertThat(new PollAnswer(3, "connecting", true).judge(new KnownStates.Known(6, KnownStates.NONE))
                .qrForConnected()).as("never seen open").isFalse();
    }

    @Test
    void knowledgeOnlyGrows() {
        KnownStates known = new KnownStates();
        known.learn("a", 5, true);
        known.learn("a", 3, false);
        known.learn("a", 6, false);
        known.learn("a", 4, true);

        assertThat(known.snapshot("a")).isEqualTo(new KnownStates.Known(6, 5));
        assertThat(known.snapshot("b")).isEqualTo(NOTHING);
    }

    @Test
    void waitingForOpenInstancesNamesTheMissingOnes() throws Exception {
        KnownStates known = new KnownStates();
        known.learn("a", 3, true);
        known.learn("b", 2, false);

        known.awaitAllOpen(List.of("a"), Duration.ofMillis(10));
        assertThatThrownBy(() -> known.awaitAllOpen(List.of("a", "b", "c"), Duration.ofMillis(50)))
                .hasMessageContaining("[b, c]");
    }
}
