package io.datastorage.core.index;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardingVectorIndexTest {

    /**
     * A wrapper that inherits one of the interface's default methods answers for the delegate with
     * the default: write times unknown (the reconciler deletes young entries), not remote (the
     * wrong write order), no crash recovery (a full replay). Twice a decorator was found doing so;
     * the base forwards every method, the defaults included, so no subclass can.
     */
    @Test
    void forwardsEveryMethodOfTheInterfaceIncludingItsDefaults() throws NoSuchMethodException {
        List<Method> interfaceMethods = Arrays.stream(VectorIndex.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers())).toList();

        assertThat(interfaceMethods).isNotEmpty();
        for (Method method : interfaceMethods) {
            Method implementation = ForwardingVectorIndex.class.getMethod(method.getName(), method.getParameterTypes());
            assertThat(implementation.getDeclaringClass()).as(method.getName()).isEqualTo(ForwardingVectorIndex.class);
        }
    }

    @Test
    void aWrapperSeesTheDelegatesWriteTimesAndRemoteness() {
        InMemoryVectorIndex delegate = new InMemoryVectorIndex(4);
        IndexEntry entry = new IndexEntry(UUID.randomUUID(), new float[] {1, 0, 0, 0},
                new IndexMetadata(AuditKind.WORKFLOW, null, null, Instant.EPOCH, null));
        delegate.upsert(List.of(entry));
        ForwardingVectorIndex wrapper = new ForwardingVectorIndex(delegate) {
        };

        assertThat(wrapper.writtenAt(List.of(entry.id()))).isEqualTo(delegate.writtenAt(List.of(entry.id())))
                .containsKey(entry.id());
        assertThat(wrapper.remote()).isEqualTo(delegate.remote());
        assertThat(wrapper.crashRecovery()).isEqualTo(delegate.crashRecovery());
    }
}
