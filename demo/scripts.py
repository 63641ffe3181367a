"""Scripted sales calls (all names invented), spoken by ``demo.speech`` for demo, tests, bench."""

from __future__ import annotations

from demo.speech import Turn

R, P = "rep", "prospect"

# Names the recogniser should be told about (TRANSCRIPTION_VOCABULARY).
VOCABULARY = ("Brightwell Routing", "Gong", "RouteMax", "Harlow Freight")

FREIGHT_HOT = [
    Turn(R, "Hi Dana, this is Sam from Brightwell Routing. Thanks for taking the call."),
    Turn(P, "Sure. I have about ten minutes, so let's keep it short."),
    Turn(R, "Of course. How do your dispatchers plan routes today?"),
    Turn(P, "By hand, in spreadsheets. Four people lose two hours every morning on it."),
    Turn(R, "That adds up quickly. Have you looked at other tools?"),
    Turn(P, "We tried RouteMax last year, and it could not handle our depots."),
    Turn(R, "Understood. Is there budget set aside for this?"),
    Turn(P, "Yes. Forty thousand dollars is approved for this quarter."),
    Turn(R, "And who makes the final decision on a purchase like this?"),
    Turn(P, "I do. I sign off on anything under fifty thousand dollars."),
    Turn(R, "When would you need it running?"),
    Turn(P, "We need it live before the first of June, when the new depot opens."),
    Turn(R, "Great. I will send a proposal by Friday."),
]

CLINIC_WARM = [
    Turn(R, "Good morning, this is Alex from Brightwell Routing. Is this a good time?"),
    Turn(P, "Yes, go ahead. I run the home care visits for our clinic."),
    Turn(R, "How do you schedule the nurses' visits today?"),
    Turn(P, "On a whiteboard. Last month we missed six visits because of double bookings."),
    Turn(R, "That sounds painful. Who else would be involved in choosing a tool?"),
    Turn(P, "I would recommend it, but our director makes the final decision."),
    Turn(R, "Is there a budget for this yet?"),
    Turn(P, "Not yet. We would have to ask for it next year."),
    Turn(R, "And when would you want to start?"),
    Turn(P, "We want it in place by the end of March, before the new contract starts."),
    Turn(R, "Thank you. I will send a short summary to you and your director."),
]

# About three minutes: the benchmark's two-voice call.
BENCH_CALL = [
    Turn(R, "Hi Dana, this is Sam from Brightwell Routing. Thanks for making time today."),
    Turn(P, "Hello Sam. I have about fifteen minutes before my next meeting."),
    Turn(R, "Perfect, I will keep it tight. Your form mentioned route planning."),
    Turn(R, "Can you tell me how your team plans routes today?"),
    Turn(P, "Our dispatchers rebuild every route by hand each morning."),
    Turn(P, "It takes four people about two hours, every single day."),
    Turn(R, "So that is eight hours a day before a single truck leaves the yard."),
    Turn(P, "Yes, and when a driver calls in sick we start over."),
    Turn(R, "What do they build the routes in?"),
    Turn(P, "Spreadsheets, and a map on the wall that nobody updates."),
    Turn(R, "Have you tried any routing software before?"),
    Turn(P, "We ran a trial of RouteMax last year. It could not handle our three depots."),
    Turn(P, "We also use Gong to record sales calls, but that is a different team."),
    Turn(R, "That helps. How many trucks and drivers do you have?"),
    Turn(P, "Sixty trucks, seventy two drivers, and we are hiring ten more in spring."),
    Turn(R, "And what does a late delivery cost you?"),
    Turn(P, "Our biggest customer charges us two hundred dollars for every late drop."),
    Turn(P, "Last quarter we paid them almost nine thousand dollars in penalties."),
    Turn(R, "That is real money. Is there budget set aside for a new tool?"),
    Turn(P, "Yes. Forty thousand dollars is approved for this quarter."),
    Turn(R, "Great. Who would make the final decision on the purchase?"),
    Turn(P, "I do. I sign off on anything under fifty thousand dollars."),
    Turn(R, "Is anyone else involved, for example in IT?"),
    Turn(P, "Our IT lead will check the security questions, but the decision is mine."),
    Turn(R, "Understood. When would you need the system running?"),
    Turn(P, "We need it live before the first of June, when the new depot opens."),
    Turn(R, "That works. Our setup usually takes four to six weeks."),
    Turn(P, "Good. What would you need from us to get started?"),
    Turn(R, "A list of your depots, vehicles and typical delivery windows."),
    Turn(P, "I can have that to you by Wednesday."),
    Turn(R, "One more question. How do drivers get their routes today?"),
    Turn(P, "On paper. The dispatcher prints a sheet for every truck."),
    Turn(R, "Our app sends each route to the driver's phone, with live traffic."),
    Turn(P, "That would help. Half of our calls to dispatch are drivers asking for directions."),
    Turn(R, "Do you need the routes in your accounting system as well?"),
    Turn(P, "Yes, we invoice from the delivery records, so that matters a lot."),
    Turn(R, "We connect to most accounting tools. Which one do you use?"),
    Turn(P, "We use a small system called Ledgerline. I can send you the details."),
    Turn(R, "Thank you. Would a demo with your dispatchers next Tuesday work?"),
    Turn(P, "Tuesday at ten works. I will bring two of our senior dispatchers."),
    Turn(R, "Perfect. I will send a proposal and a security pack by Friday."),
    Turn(P, "Thanks Sam. Talk to you next week."),
]
