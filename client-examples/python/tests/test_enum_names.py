"""Enum fields are shown by name wherever a person reads them (issue 10: a job state printed as ``6``)."""

from gymrpc.agents import agent_pb2, algorithm_name, describe_job, describe_model, state_name


def test_state_and_algorithm_names():
    assert state_name(agent_pb2.JOB_STATE_INTERRUPTED) == "INTERRUPTED"
    assert state_name(agent_pb2.JOB_STATE_SUCCEEDED) == "SUCCEEDED"
    assert state_name(42) == "STATE_42"  # a state a newer server added
    assert algorithm_name(agent_pb2.ALGORITHM_SAC) == "sac"
    assert algorithm_name(agent_pb2.ALGORITHM_PPO) == "ppo"
    assert algorithm_name("sac") == "sac"


def test_describe_job_and_model_use_names_not_numbers():
    job = agent_pb2.Job(job_id="job-1", state=agent_pb2.JOB_STATE_INTERRUPTED, reason="server stopped while running",
                        training=agent_pb2.TrainingSpec(algorithm=agent_pb2.ALGORITHM_SAC, env_id="FourRooms-v0"),
                        progress=agent_pb2.JobProgress(global_step=1200, episodes=30))
    line = describe_job(job)
    assert line == "job-1 sac FourRooms-v0 INTERRUPTED (step 1,200, 30 episodes): server stopped while running"
    info = agent_pb2.ModelInfo(model_id="model-1", algorithm=agent_pb2.ALGORITHM_PPO, env_id="CartPole-v1",
                               job_id="job-1", global_step=5000, episodes=40)
    assert describe_model(info) == "model-1 ppo CartPole-v1 (step 5,000, 40 episodes, job job-1)"
