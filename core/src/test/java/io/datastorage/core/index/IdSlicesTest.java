package io.datastorage.core.index;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdSlicesTest {

    @Property
    void slicesFollowTheOrderOfIdStrings(@ForAll long msbA, @ForAll long lsbA, @ForAll long msbB, @ForAll long lsbB,
                                         @ForAll @IntRange(min = 1, max = 16) int bits) {
        UUID a = new UUID(msbA, lsbA);
        UUID b = new UUID(msbB, lsbB);
        if (a.toString().compareTo(b.toString()) <= 0) {
            assertThat(IdSlices.sliceOf(a, bits)).isLessThanOrEqualTo(IdSlices.sliceOf(b, bits));
        }
    }

    @Property
    void anIdLiesBetweenItsSlicesBoundsAndItsHexPrefixNamesTheSlice(@ForAll long msb, @ForAll long lsb,
                                                                    @ForAll @IntRange(min = 1, max = 16) int bits) {
        UUID id = new UUID(msb, lsb);
        int slice = IdSlices.sliceOf(id, bits);
        assertThat(IdSlices.first(slice, bits).toString()).isLessThanOrEqualTo(id.toString());
        UUID before = IdSlices.before(slice, bits);
        if (before != null) {
            assertThat(before.toString()).isLessThan(id.toString());
            assertThat(IdSlices.sliceOf(before, bits)).isEqualTo(slice - 1);
        }
        String prefix = id.toString().substring(0, IdSlices.hexDigits(bits));
        assertThat(IdSlices.sliceOfHexPrefix(prefix, bits)).isEqualTo(slice);
    }

    @Test
    void refusesSliceWidthsOutsideOneToSixteenBits() {
        assertThatThrownBy(() -> IdSlices.count(0)).hasMessageContaining("1..16");
        assertThatThrownBy(() -> IdSlices.count(17)).hasMessageContaining("was 17");
        assertThatThrownBy(() -> IdSlices.first(8, 3)).hasMessageContaining("0..7");
    }

    @Test
    void digestsDifferOnlyWhereCountsOrFingerprintsDiffer() {
        SliceDigest a = new SliceDigest(2);
        SliceDigest b = new SliceDigest(2);
        UUID first = UUID.fromString("00000000-0000-7000-8000-000000000001");
        UUID last = UUID.fromString("ffffffff-0000-7000-8000-000000000001");
        a.add(first, 5);
        b.add(first, 5);
        a.add(last, 7);
        b.add(last, 8);
        assertThat(a.differing(b)).containsExactly(3);
        b.addSlice(0, 1, 0);
        assertThat(a.differing(b)).containsExactly(0, 3);
        assertThat(b.total()).isEqualTo(3);
    }

    @Test
    void aFingerprintIsTheFirstSixtyFourBitsOfAHexChecksum() {
        assertThat(SliceDigest.fingerprint("ffffffffffffffff00")).isEqualTo(-1L);
        assertThat(SliceDigest.fingerprint("0000000000000001")).isEqualTo(1L);
        assertThat(SliceDigest.fingerprint(null)).isZero();
        assertThat(SliceDigest.fingerprint("not-a-hex-checksum")).isNotZero()
                .isEqualTo(SliceDigest.fingerprint("not-a-hex-checksum"))
                .isNotEqualTo(SliceDigest.fingerprint("not-a-hex-checksun"));
    }
}
