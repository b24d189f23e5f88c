#include "daemon/sync/heartbeat.h"

#include <gtest/gtest.h>

#include <thread>

namespace hs::sync {
namespace {

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST(HeartbeatTest, AWorkingLoopIsStalledOnlyPastStallAfter) {
  Heartbeat beat(300);
  Pulse& pull = beat.Add("pull.hotline12345");
  EXPECT_TRUE(beat.Stalled().empty());
  SleepMs(600);
  auto stalled = beat.Stalled();
  ASSERT_EQ(stalled.size(), 1u);
  EXPECT_EQ(stalled[0].loop, "pull.hotline12345");
  EXPECT_GE(stalled[0].overdue_ms, 300);
  pull.Working();  // Progress: the promise is renewed.
  EXPECT_TRUE(beat.Stalled().empty());
}

TEST(HeartbeatTest, ASleepLongerThanStallAfterIsNotAStall) {
  Heartbeat beat(200);
  Pulse& push = beat.Add("push.petition");
  push.Sleeping(800);  // A backoff of four times stall_after.
  SleepMs(400);
  EXPECT_TRUE(beat.Stalled().empty());
  SleepMs(800);  // Past the sleep and stall_after: it never came back.
  EXPECT_EQ(beat.Stalled().size(), 1u);
}

TEST(HeartbeatTest, AFinishedLoopNeverStalls) {
  Heartbeat beat(10);
  beat.Add("deadlines").Finished();
  Pulse& other = beat.Add("pull.provincial");
  SleepMs(40);
  auto stalled = beat.Stalled();
  ASSERT_EQ(stalled.size(), 1u);
  EXPECT_EQ(stalled[0].loop, "pull.provincial");
  other.Finished();
  EXPECT_TRUE(beat.Stalled().empty());
}

}  // namespace
}  // namespace hs::sync
