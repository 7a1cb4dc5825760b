package io.stateguard.it.gateway;

import io.stateguard.gateway.Json;
import io.stateguard.gateway.QrCode;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class QrCodeTest {

    @Test
    void hasEvolutionApisShapeAndAPngAnyDecoderReads() throws Exception {
        Map<String, Object> body = Json.parseObject(QrCode.issue(3).toJson());

        assertThat(body).containsOnlyKeys("pairingCode", "code", "base64", "count");
        assertThat(body.get("pairingCode")).isNull();
        assertThat(body.get("count")).isEqualTo(3L);
        assertThat((String) body.get("code")).startsWith("2@").contains(",");
        String dataUri = (String) body.get("base64");
        assertThat(dataUri).startsWith("data:image/png;base64,");

        byte[] png = Base64.getDecoder().decode(dataUri.substring("data:image/png;base64,".length()));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("ImageIO decodes the PNG").isNotNull();
        assertThat(image.getWidth()).isEqualTo(image.getHeight()).isGreaterThan(50);
        // Quiet zone white, top-left finder pattern black.
        assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(image.getRGB(9, 9) & 0xFFFFFF).isEqualTo(0x000000);
    }

    @Test
    void eachCodeIsNew() {
        assertThat(QrCode.issue(1).code()).isNotEqualTo(QrCode.issue(1).code());
    }
}
