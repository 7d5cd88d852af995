package io.nsnet.agent.store;

import java.time.Instant;
import java.time.LocalDate;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;

/**
 * Parsers for the canonical text the store itself wrote (addresses, subnets, timestamps), on the read path.
 *
 * <p>Why not {@link Ipv4#parse}, {@link Cidr#parse} and {@link Instant#parse}: they validate user input (streams,
 * splits, DateTimeFormatter) and cost microseconds each; reading 1000 networks three times per network create
 * spent about half of the daemon's CPU there (JFR, bench/results). Stored values were validated when written, so a
 * plain digit loop suffices; anything that does not have the canonical shape falls back to the strict parser, which
 * reports it as before.
 */
final class StoredText {
    private StoredText() {
    }

    static Ipv4 ipv4(String s) {
        int bits = 0;
        int octet = 0;
        int digits = 0;
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9' && digits < 3) {
                octet = octet * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && dots < 3 && octet <= 255) {
                bits = (bits << 8) | octet;
                octet = 0;
                digits = 0;
                dots++;
            } else {
                return Ipv4.parse(s);
            }
        }
        if (dots != 3 || digits == 0 || octet > 255) {
            return Ipv4.parse(s);
        }
        return new Ipv4((bits << 8) | octet);
    }

    static Cidr cidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0 || slash == s.length() - 1 || s.length() - slash > 3) {
            return Cidr.parse(s);
        }
        int prefix = 0;
        for (int i = slash + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return Cidr.parse(s);
            }
            prefix = prefix * 10 + (c - '0');
        }
        try {
            return new Cidr(ipv4(s.substring(0, slash)), prefix);
        } catch (IllegalArgumentException e) {
            return Cidr.parse(s); // host bits or range: let the strict parser word the error
        }
    }

    /** {@link Instant#toString()} output: {@code yyyy-MM-ddTHH:mm:ss[.f…]Z}. */
    static Instant instant(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return Instant.parse(s);
        }
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n - 21 > 9 || n - 21 < 1) {
                return Instant.parse(s);
            }
            for (int i = 20; i < n - 1; i++) {
                int d = digit(s, i);
                if (d < 0) {
                    return Instant.parse(s);
                }
                nanos = nanos * 10 + d;
            }
            for (int i = n - 21; i < 9; i++) {
                nanos *= 10;
            }
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return Instant.parse(s);
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
        } catch (java.time.DateTimeException e) {
            return Instant.parse(s);
        }
    }

    private static int number(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            int d = digit(s, i);
            if (d < 0) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int digit(String s, int i) {
        char c = s.charAt(i);
        return c >= '0' && c <= '9' ? c - '0' : -1;
    }
}
