package org.kdive.cmd.devices.net;

import java.util.Map;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.Kern;

/** crash's get_sock_info: "FAMILY:TYPE" and, for INET and INET6, "source-port destination-port". */
final class SockInfo {
    private SockInfo() {
    }

    private static String family(int f) {
        return switch (f) {
            case 0 -> "UNSPEC:";
            case 1 -> "UNIX:";
            case 2 -> "INET:";
            case 3 -> "AX25:";
            case 4 -> "IPX:";
            case 5 -> "APPLETALK:";
            case 6 -> "NETROM:";
            case 7 -> "BRIDGE:";
            case 8 -> "ATMPVC:";
            case 9 -> "X25:";
            case 10 -> "INET6:";
            case 11 -> "ROSE:";
            case 12 -> "DECnet:";
            case 13 -> "NETBEUI:";
            case 14 -> "SECURITY/KEY:";
            case 16 -> "NETLINK/ROUTE:";
            case 17 -> "PACKET:";
            case 18 -> "ASH:";
            case 19 -> "ECONET:";
            case 20 -> "ATMSVC:";
            case 22 -> "SNA:";
            case 23 -> "IRDA:";
            case 24 -> "PPPOX:";
            default -> f + ":";
        };
    }

    private static String type(int t) {
        return switch (t) {
            case 1 -> "STREAM";
            case 2 -> "DGRAM ";
            case 3 -> "RAW";
            case 4 -> "RDM";
            case 5 -> "SEQPACKET";
            case 10 -> "PACKET";
            default -> String.valueOf(t);
        };
    }

    private static int ntohs(int v) {
        return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
    }

    /** A member of the sock's sock_common or inet_sock, whichever declares it. */
    private static long at(Kern k, long sock, String commonMember, String inetMember) {
        if (inetMember != null && k.hasMember("inet_sock", inetMember)) return sock + k.off("inet_sock", inetMember);
        return sock + k.off("sock", "__sk_common") + k.off("sock_common", commonMember);
    }

    static String describe(Kern k, long sock, Map<String, Object> data) {
        int fam = k.u16(sock + k.off("sock", "__sk_common") + k.off("sock_common", "skc_family"));
        int typ = k.u16(sock + k.off("sock", "sk_type"));
        StringBuilder sb = new StringBuilder(family(fam)).append(type(typ)).append(' ');
        data.put("family", fam);
        data.put("type", typ);
        if (fam == 2) {
            long rcv = k.u32(at(k, sock, "skc_rcv_saddr", null));
            long dst = k.u32(at(k, sock, "skc_daddr", null));
            int sport = ntohs(k.u16(at(k, sock, "skc_num", "inet_sport")));
            int dport = ntohs(k.u16(at(k, sock, "skc_dport", "inet_dport")));
            sb.append(' ').append(Inet.v4(rcv)).append('-').append(sport).append(' ').append(Inet.v4(dst)).append('-').append(dport);
            data.put("source", Inet.v4(rcv) + "-" + sport);
            data.put("destination", Inet.v4(dst) + "-" + dport);
        } else if (fam == 10) {
            int sport = ntohs(k.u16(at(k, sock, "skc_num", "inet_sport")));
            int dport = ntohs(k.u16(at(k, sock, "skc_dport", "inet_dport")));
            String src = v6port(k.memory().read(at(k, sock, "skc_v6_rcv_saddr", null), 16), sport);
            String dst = v6port(k.memory().read(at(k, sock, "skc_v6_daddr", null), 16), dport);
            sb.append(Fmt.right(src, 12)).append(' ').append(Fmt.mk(dst, src.length(), Fmt.CENTER));
            data.put("source", src);
            data.put("destination", dst);
        }
        return sb.toString();
    }

    /** crash's dump_in6_addr_port: eight hex words, uncompressed, and "-port". */
    private static String v6port(byte[] a, int port) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) sb.append(':');
            sb.append(Integer.toHexString(((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff)));
        }
        return sb.append('-').append(port).toString();
    }
}
