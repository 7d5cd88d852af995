package io.nsnet.link;

/** What a link is, as IFLA_INFO_KIND says; a closed set of the kinds nsnet makes, plus the rest as seen. */
public sealed interface LinkKind {
    String name();

    record Bridge() implements LinkKind {
        @Override
        public String name() {
            return "bridge";
        }
    }

    record Veth() implements LinkKind {
        @Override
        public String name() {
            return "veth";
        }
    }

    /** A link with no IFLA_INFO_KIND: loopback or a physical device. */
    record Device() implements LinkKind {
        @Override
        public String name() {
            return "";
        }
    }

    record Other(String name) implements LinkKind {
    }

    static LinkKind of(String kind) {
        if (kind == null || kind.isEmpty()) {
            return new Device();
        }
        return switch (kind) {
            case "bridge" -> new Bridge();
            case "veth" -> new Veth();
            default -> new Other(kind);
        };
    }
}
