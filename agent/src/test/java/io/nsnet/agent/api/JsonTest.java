package io.nsnet.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void strictRejectsUnknownFieldsAndCoercion() {
        assertThatThrownBy(() -> Json.strict().readValue("{\"name\":\"a\",\"x\":1}", NetworkCreateRequest.class))
                .isInstanceOf(UnrecognizedPropertyException.class);
        assertThatThrownBy(() -> Json.strict().readValue("{\"mtu\":\"9000\"}", NetworkCreateRequest.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void lenientReadsResponsesWithFieldsItDoesNotKnow() throws Exception {
        NetworkView v = Json.lenient().readValue("{\"name\":\"a\",\"mtu\":1500,\"addedLater\":{\"x\":1}}",
                NetworkView.class);
        assertThat(v.name()).isEqualTo("a");
        assertThat(v.mtu()).isEqualTo(1500);
    }

    @Test
    void viewsRoundTripWithTheirRecordComponentNames() throws Exception {
        NetworkView v = new NetworkView("n", "id", "br", "10.0.0.0/24", "10.0.0.1", null, false, true, true, 1500, true,
                "t", List.of(new NetworkView.AttachedSandbox("s", "10.0.0.2/24", "02:42:0a:00:00:02", "eth0")));
        String json = Json.strict().writeValueAsString(v);
        assertThat(json).contains("\"isDefault\":true").contains("\"ipRange\":null");
        assertThat(Json.strict().readValue(json, NetworkView.class)).isEqualTo(v);
    }
}
