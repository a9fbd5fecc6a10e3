package io.datastorage.core.audit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds on a JSON number: at most 100 significant digits, decimal exponent -400..400. */
class NumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "0.000", "1", "-1", "0.5", "0.50", "1E+2", "1e-400", "9.99e400",
            "1e400", "-1E-400", "0.0001e-396", "0e400", "0e-400", "12.5E+3", "1E0", "1e-0", "1e+000000000400",
            "2147483647", "-2147483648", "9223372036854775808",
            // 100 significant digits, with and without leading zeros
            "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "0.0001234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"})
    void acceptsNumbersWithinTheBounds(String text) {
        assertThat(Numbers.problem(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1E-1001", "1e-20000", "1e401", "1e-401", "10e400", "0.1e-400", "1e9999999999",
            "1e-9999999999", "1E+2147483648", "0e401", "0.0e-400",
            // 101 significant digits; trailing zeros count
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901",
            "1.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"})
    void rejectsNumbersBeyondTheBounds(String text) {
        assertThat(Numbers.problem(text)).contains("at most 100 significant digits", "-400 to 400");
    }

    /** The check reads the text; BigDecimal, where it can be built, is the oracle. */
    @Property(tries = 3000)
    void agreesWithBigDecimalOnEveryShapeOfNumber(@ForAll("numbers") String text) {
        BigDecimal value = new BigDecimal(text);
        long exponent = (long) value.precision() - value.scale() - 1;
        boolean within = value.precision() <= AuditLimits.MAX_NUMBER_DIGITS
                && Math.abs(exponent) <= AuditLimits.MAX_NUMBER_EXPONENT;

        assertThat(Numbers.problem(text) == null).as(text).isEqualTo(within);
    }

    /** JSON numbers of every shape: sign, leading zero, fraction, exponent with sign and padding. */
    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> integer = Arbitraries.oneOf(Arbitraries.just("0"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(120).filter(s -> s.charAt(0) != '0'));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(120).map(s -> "." + s),
                Arbitraries.integers().between(1, 450).map(n -> "." + "0".repeat(n) + "1"));
        Arbitrary<String> exponent = Arbitraries.oneOf(Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"), Arbitraries.of("", "0", "00"),
                        Arbitraries.integers().between(0, 1200)).as((e, sign, pad, n) -> e + sign + pad + n));
        return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + f + e);
    }
}
