// Progress meter (core/progress.h).
#include "core/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sentzoo {

namespace detail {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (seconds < 10) return fmt::format("{:.1f} s", seconds);
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02d} s", s / 60, s % 60);
  return fmt::format("{} h {:02d} min", s / 3600, (s % 3600) / 60);
}

namespace {

std::string rate_text(int64_t done, double elapsed) {
  if (elapsed <= 0 || done <= 0) return "-/s";
  const double rate = static_cast<double>(done) / elapsed;
  return rate >= 100 ? fmt::format("{:.0f}/s", rate) : fmt::format("{:.1f}/s", rate);
}

std::string eta_text(int64_t done, int64_t total, double elapsed) {
  if (done <= 0 || elapsed <= 0) return "?";
  return format_duration(elapsed / static_cast<double>(done) * static_cast<double>(total - done));
}

int percent(int64_t done, int64_t total) {
  return total > 0 ? static_cast<int>(100 * done / total) : 100;
}

}  // namespace

std::string progress_line(const std::string& stage, int64_t done, int64_t total, double elapsed) {
  const std::string head = fmt::format(
      "{} {}/{} ({}%), {}", stage, done, total, percent(done, total), rate_text(done, elapsed));
  if (done >= total) return fmt::format("{}, done in {}", head, format_duration(elapsed));
  return fmt::format(
      "{}, {} elapsed, ETA {}", head, format_duration(elapsed), eta_text(done, total, elapsed));
}

std::string progress_bar(
    const std::string& stage, int64_t done, int64_t total, double elapsed, int width) {
  const int filled =
      total > 0 ? static_cast<int>(std::min<int64_t>(width, width * done / total)) : width;
  return fmt::format("{} [{}{}] {}/{} {}% {} {}",
                     stage,
                     std::string(filled, '#'),
                     std::string(width - filled, '.'),
                     done,
                     total,
                     percent(done, total),
                     rate_text(done, elapsed),
                     done >= total ? "done in " + format_duration(elapsed)
                                   : "ETA " + eta_text(done, total, elapsed));
}

}  // namespace detail

ProgressMeter::ProgressMeter(ProgressStyle style, Write write, Clock clock)
    : style_(style), write_(std::move(write)), clock_(std::move(clock)) {
  if (!clock_)
    clock_ = [] {
      using steady = std::chrono::steady_clock;
      return std::chrono::duration<double>(steady::now().time_since_epoch()).count();
    };
}

StageProgress ProgressMeter::callback() {
  return
      [this](const std::string& stage, int64_t done, int64_t total) { update(stage, done, total); };
}

void ProgressMeter::update(const std::string& stage, int64_t done, int64_t total) {
  const double now = clock_();
  // A new stage (or the same one started over): its clock starts now.
  if (stage != stage_ || done < last_done_) {
    if (shown_ && style_.terminal) write_("\n");  // an unfinished bar keeps its line
    stage_ = stage;
    start_ = now;
    shown_ = false;
  }
  last_done_ = done;
  const double elapsed = now - start_;
  const bool finished = done >= total;
  if (!shown_ && elapsed < style_.quiet_seconds) return;  // short stages stay silent
  if (style_.terminal) {
    if (!finished && shown_ && now - last_write_ < style_.redraw_seconds) return;
    // "\x1b[K" clears what a longer previous bar left on the line.
    write_(fmt::format("\r{}\x1b[K{}",
                       detail::progress_bar(stage, done, total, elapsed, style_.bar_width),
                       finished ? "\n" : ""));
  } else {
    if (!finished && shown_ && now - last_write_ < style_.line_seconds) return;
    write_(detail::progress_line(stage, done, total, elapsed) + "\n");
  }
  shown_ = !finished;
  last_write_ = now;
  if (finished) stage_.clear(), last_done_ = -1;
}

}  // namespace sentzoo
