package dev.taskcert.server.enrollment;

import java.time.Instant;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;

/** SQL for the record of every certificate the CA issued. */
public interface IssuedCertificateMapper {

  @Insert("""
      insert into issued_certificate
        (serial_hex, task_instance_id, try_number, spiffe_id, not_before, not_after, renewed_from)
      values (#{serialHex}, #{taskInstanceId}, #{tryNumber}, #{spiffeId}, #{notBefore}, #{notAfter}, #{renewedFrom})""")
  void insert(
      @Param("serialHex") String serialHex,
      @Param("taskInstanceId") Long taskInstanceId,
      @Param("tryNumber") Integer tryNumber,
      @Param("spiffeId") String spiffeId,
      @Param("notBefore") Instant notBefore,
      @Param("notAfter") Instant notAfter,
      @Param("renewedFrom") String renewedFrom);
}
