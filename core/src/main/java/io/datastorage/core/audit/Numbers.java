package io.datastorage.core.audit;

/**
 * The one numeric representation the service accepts, anywhere in a request body (known fields,
 * unknown ones, the search body): a JSON number with at most
 * {@value AuditLimits#MAX_NUMBER_DIGITS} significant digits (leading zeros not counted, trailing
 * ones counted) whose decimal exponent in scientific notation lies in
 * -{@value AuditLimits#MAX_NUMBER_EXPONENT}..{@value AuditLimits#MAX_NUMBER_EXPONENT}
 * ({@code 1e-400}, {@code 12.5E+3}, {@code 0.000} pass; {@code 1E-1001}, {@code 1e9999999999} do
 * not).
 *
 * <p>Why these bounds: a record's document is stored as PostgreSQL {@code jsonb}, whose numbers
 * are {@code numeric} and are written back in plain notation ({@code 1E-1001} comes back as a
 * 1,003-character {@code 0.000…1}). Within the bounds that plain form is at most about 500
 * characters, well inside PostgreSQL's {@code numeric} range and the JSON reader's limit on a
 * number's length, so whatever is accepted reads back with the same value through every read path.
 *
 * <p>The check reads the number's text, in time linear in its length, before anything converts
 * it: a {@code BigDecimal} of a million digits, or of an exponent beyond 32 bits, is itself the
 * problem.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * What is wrong with a JSON number as written, or null when it is within the bounds.
     *
     * @param text a JSON number token as the parser read it (grammar of RFC 8259 section 6)
     */
    public static String problem(String text) {
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        String mantissa = e < 0 ? text : text.substring(0, e);
        long exponent = 0;
        if (e >= 0) {
            String digits = text.substring(e + 1).replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
            if (digits.length() > 9) {
                return bounds();
            }
            exponent = Long.parseLong(digits) * (text.charAt(e + 1) == '-' ? -1 : 1);
        }
        if (mantissa.startsWith("-")) {
            mantissa = mantissa.substring(1);
        }
        int point = mantissa.indexOf('.');
        String integer = point < 0 ? mantissa : mantissa.substring(0, point);
        String fraction = point < 0 ? "" : mantissa.substring(point + 1);
        String all = integer + fraction;
        int leadingZeros = 0;
        while (leadingZeros < all.length() && all.charAt(leadingZeros) == '0') {
            leadingZeros++;
        }
        long significant = all.length() - leadingZeros;
        // The exponent of the first significant digit, as BigDecimal's precision - scale - 1 gives it.
        long adjusted = leadingZeros == all.length()
                ? exponent - fraction.length()
                : exponent + integer.length() - 1 - leadingZeros;
        if (significant > AuditLimits.MAX_NUMBER_DIGITS || Math.abs(adjusted) > AuditLimits.MAX_NUMBER_EXPONENT) {
            return bounds();
        }
        return null;
    }

    private static String bounds() {
        return "must be a number of at most " + AuditLimits.MAX_NUMBER_DIGITS
                + " significant digits with a decimal exponent from -" + AuditLimits.MAX_NUMBER_EXPONENT
                + " to " + AuditLimits.MAX_NUMBER_EXPONENT + " (a magnitude from 1e-" + AuditLimits.MAX_NUMBER_EXPONENT
                + " to below 1e" + (AuditLimits.MAX_NUMBER_EXPONENT + 1) + ", or 0)";
    }
}
