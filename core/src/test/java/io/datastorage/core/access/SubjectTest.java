package io.datastorage.core.access;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which user and group names may stand for a caller. */
class SubjectTest {

    @Test
    void ordinaryNamesAreValid() {
        assertThat(Subject.nameProblem("system:serviceaccount:apps:writer")).isEmpty();
        assertThat(Subject.nameProblem("jörg@example.com")).isEmpty();
        assertThat(Subject.nameProblem("emoji-\uD83D\uDE00")).isEmpty(); // a surrogate pair
        // The longest ServiceAccount user name Kubernetes allows.
        assertThat(Subject.nameProblem("system:serviceaccount:" + "n".repeat(63) + ":" + "s".repeat(253))).isEmpty();
        assertThat(Subject.nameProblem("a".repeat(Subject.MAX_NAME_LENGTH))).isEmpty();
        assertThat(Subject.nameProblem("\uD83D\uDE00".repeat(Subject.MAX_NAME_LENGTH))).isEmpty(); // counted in code points
    }

    @Test
    void missingBlankLongControlAndUnpairedSurrogateNamesAreRefused() {
        assertThat(Subject.nameProblem(null)).hasValue("is missing or blank");
        assertThat(Subject.nameProblem("")).hasValue("is missing or blank");
        assertThat(Subject.nameProblem(" \t")).hasValue("is missing or blank");
        assertThat(Subject.nameProblem("a".repeat(Subject.MAX_NAME_LENGTH + 1)))
                .hasValue("is longer than 512 characters");
        assertThat(Subject.nameProblem("a\u0000b")).hasValue("holds a control character");
        assertThat(Subject.nameProblem("a\nX")).hasValue("holds a control character");
        assertThat(Subject.nameProblem("a\u007Fb")).hasValue("holds a control character");
        assertThat(Subject.nameProblem("a\u0085b")).hasValue("holds a control character");
        assertThat(Subject.nameProblem("a\uD800b")).hasValue("holds an unpaired surrogate");
        assertThat(Subject.nameProblem("a\uDC00")).hasValue("holds an unpaired surrogate");
        assertThat(Subject.isValidName("a\u0000b")).isFalse();
    }
}
