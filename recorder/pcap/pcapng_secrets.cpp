#include "recorder/pcap/pcapng_secrets.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

namespace trafficdb {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kDecryptionSecrets = 0x0000000A;
constexpr std::uint32_t kTlsKeyLog = 0x544c534b;  // "TLSK"
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kMaxSecretsBytes = 64u << 20;

std::uint32_t swap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

}  // namespace

Result<std::vector<std::string>> read_pcapng_key_logs(const std::string& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::io_error(path + ": " + std::strerror(errno));
  std::vector<std::string> logs;
  bool swapped = false;
  for (;;) {
    std::uint32_t head[2];
    if (std::fread(head, sizeof head, 1, f.get()) != 1) break;
    if (head[0] == kSectionHeader) {  // the same in either byte order
      std::uint32_t magic = 0;
      if (std::fread(&magic, sizeof magic, 1, f.get()) != 1) break;
      if (magic == kByteOrderMagic) swapped = false;
      else if (swap32(magic) == kByteOrderMagic) swapped = true;
      else break;
      if (std::fseek(f.get(), -4, SEEK_CUR) != 0) break;
    } else if (logs.empty() && std::ftell(f.get()) == 8) {
      return logs;  // the file does not start with a section header: not pcapng
    }
    const std::uint32_t type = swapped ? swap32(head[0]) : head[0];
    const std::uint32_t length = swapped ? swap32(head[1]) : head[1];
    if (length < 12 || length % 4 != 0) break;
    std::uint32_t body = length - 12;  // without the type, both lengths
    if (type == kDecryptionSecrets && body >= 8) {
      std::uint32_t fields[2];
      if (std::fread(fields, sizeof fields, 1, f.get()) != 1) break;
      const std::uint32_t secrets_type = swapped ? swap32(fields[0]) : fields[0];
      const std::uint32_t secrets_length = swapped ? swap32(fields[1]) : fields[1];
      body -= 8;
      if (secrets_type == kTlsKeyLog && secrets_length <= body && secrets_length <= kMaxSecretsBytes) {
        std::string text(secrets_length, '\0');
        if (std::fread(text.data(), 1, secrets_length, f.get()) != secrets_length) break;
        logs.push_back(std::move(text));
        body -= secrets_length;
      }
    }
    if (std::fseek(f.get(), static_cast<long>(body) + 4, SEEK_CUR) != 0) break;
  }
  return logs;
}

}  // namespace trafficdb
