#include <catch2/catch.hpp>

#include <chrono>

#include "query/line_diff.h"

using namespace trafficdb;

namespace {

std::string numbered(int count, const std::string& prefix) {
  std::string s;
  for (int i = 0; i < count; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

}  // namespace

TEST_CASE("Line diff: unified hunks with context, counts and line numbers", "[query][diff]") {
  const LineDiff same = diff_lines("a\nb\n", "a\nb\n");
  CHECK(same.equal);
  CHECK(same.unified.empty());

  const LineDiff d = diff_lines("one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n",
                                "one\ntwo\nthree\nfour\nFIVE\nsix\nseven\neight\nnine\n");
  CHECK_FALSE(d.equal);
  CHECK_FALSE(d.summarized);
  CHECK(d.added == 2);
  CHECK(d.removed == 1);
  CHECK(d.unified ==
        "@@ -2,7 +2,8 @@\n two\n three\n four\n-five\n+FIVE\n six\n seven\n eight\n+nine\n");

  const LineDiff insert = diff_lines("a\nb\n", "x\na\nb\n");
  CHECK(insert.unified == "@@ -1,2 +1,3 @@\n+x\n a\n b\n");
}

TEST_CASE("Line diff: far-apart changes make separate hunks", "[query][diff]") {
  std::string a = numbered(40, "line "), b = a;
  b.replace(b.find("line 5\n"), 7, "LINE 5\n");
  b.replace(b.find("line 30\n"), 8, "LINE 30\n");
  const LineDiff d = diff_lines(a, b);
  CHECK(d.added == 2);
  CHECK(d.removed == 2);
  CHECK(d.unified.find("@@ -3,7 +3,7 @@\n") == 0);
  CHECK(d.unified.find("@@ -28,7 +28,7 @@\n") != std::string::npos);
  CHECK(d.unified.find("line 15") == std::string::npos);
}

TEST_CASE("Line diff is bounded: huge and very different texts are summarized quickly", "[query][diff][hostile]") {
  const auto start = std::chrono::steady_clock::now();
  const LineDiff all_different = diff_lines(numbered(100000, "a"), numbered(100000, "b"));
  CHECK(all_different.summarized);
  CHECK(all_different.reason.find("too large") != std::string::npos);
  CHECK(all_different.lines_a == 100000);
  CHECK(all_different.unified.empty());

  // Within the line limit but past the edit budget: every line differs.
  const LineDiff many_edits = diff_lines(numbered(5000, "a"), numbered(5000, "b"));
  CHECK(many_edits.summarized);
  CHECK(many_edits.reason.find("too many changes") != std::string::npos);

  // 100k lines that differ in one: common ends are skipped, one small hunk.
  std::string a = numbered(100000, "row "), b = a;
  b.replace(b.find("row 50000\n"), 10, "row fifty thousand\n");
  const LineDiff one = diff_lines(a, b);
  CHECK_FALSE(one.summarized);
  CHECK(one.added == 1);
  CHECK(one.unified.find("@@ -49998,7 +49998,7 @@\n") == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("Line diff output is capped in lines and line length", "[query][diff][hostile]") {
  LineDiffLimits limits;
  limits.max_output_lines = 10;
  limits.max_line_bytes = 8;
  const LineDiff d = diff_lines(numbered(50, "a-long-line-"), numbered(50, "b-long-line-"), limits);
  CHECK_FALSE(d.summarized);
  CHECK(d.omitted_lines == 91);  // 100 changed lines and a header, 10 shown
  CHECK(d.unified.find("-long-l\xE2\x80\xA6\n") != std::string::npos);
  const LineDiff newline = diff_lines("a\nb", "a\nb\n");
  CHECK_FALSE(newline.equal);
  CHECK(newline.reason.find("final newline") != std::string::npos);
}
