package ai.dstack.api.internal.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cases checked against CPython 3.11's ipaddress, whose verdicts dstack's validators return. */
class PythonIpTest {
    @ParameterizedTest
    @CsvSource({
        "10.1.2.3, true",
        "8.8.8.8, false",
        "fd12::1, true",
        "2001:4860::8888, false",
        "::ffff:192.168.1.1, true",
        "::ffff:1.1.1.1, false",
        "fe80::1%eth0, true",
        "::, true",
        "192.0.0.8, false",
        "100.64.0.1, false",
    })
    void addressesArePrivateAsInPython(String text, boolean isPrivate) {
        PythonIp.Address address = PythonIp.address(text);
        assertThat(address).as(text).isNotNull();
        assertThat(PythonIp.isPrivate(address)).as(text).isEqualTo(isPrivate);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.001.1", "", "10.0.0.256", "1.2.3.4.5", " 10.0.0.1", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "fc00::1:2:3:4:5:6:7", "::1%", "fe80::1%a%b", "10.0.0.1/32", "host.example.com", "12345::", "1.2.3"})
    void malformedAddressesAreRejected(String text) {
        assertThat(PythonIp.address(text)).as(text).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, true",
        "10.1.2.3/8, true",
        "10.0.0.0/255.0.0.0, true",
        "10.0.0.0/0.255.255.255, true",
        "8.8.0.0/16, false",
        "0.0.0.0/0, false",
        "192.168.0.0/15, false",
        "fd00::/8, true",
        "fc00::/6, false",
        "2001:db8::1/48, true",
        "172.16.5.4, true",
    })
    void networksArePrivateWhenOneRangeHoldsThemWhole(String text, boolean isPrivate) {
        PythonIp.Net network = PythonIp.network(text);
        assertThat(network).as(text).isNotNull();
        assertThat(PythonIp.isPrivate(network)).as(text).isEqualTo(isPrivate);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/255.0.255.0", "10.0.0.0/33", "10.0.0.0/", "a/8", "10.0.0.0/8/8", "fd00::/129", "fd00::/ffff::"})
    void malformedNetworksAreRejected(String text) {
        assertThat(PythonIp.network(text)).as(text).isNull();
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3/8, 10.0.0.0, 8", "10.0.0.0/0.255.255.255, 10.0.0.0, 8", "192.168.7.9, 192.168.7.9, 32"})
    void hostBitsAreClearedAndMasksBecomePrefixes(String text, String first, int prefix) {
        PythonIp.Net network = PythonIp.network(text);
        assertThat(network.address()).isEqualTo(PythonIp.address(first).value());
        assertThat(network.prefix()).isEqualTo(prefix);
    }
}
